// A bare Kafka connection: one request at a time, answered or failed within a
// timeout. The failover figure uses it so that what it times is the broker's
// failover, not a client library's retry backoff.
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { decodeResponse, encodeRequest, FrameReader, responseCorrelationId } from '@kstream/protocol';
import type { ApiSpec, RequestOf, ResponseOf } from '@kstream/protocol';

const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

interface Pending {
  readonly resolve: (frame: Buffer) => void;
  readonly reject: (error: Error) => void;
}

export class KafkaConnection {
  readonly #socket: Socket;
  readonly #frames = new FrameReader(MAX_RESPONSE_BYTES);
  readonly #pending = new Map<number, Pending>();
  #nextCorrelationId = 1;
  #closed = false;

  private constructor(
    readonly address: string,
    socket: Socket,
  ) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.#frames.push(chunk)) {
        const id = responseCorrelationId(frame);
        const pending = this.#pending.get(id);
        this.#pending.delete(id);
        pending?.resolve(frame);
      }
    });
    socket.on('error', () => {});
    socket.once('close', () => this.#fail(`connection to ${address} closed`));
  }

  /** Connects to `host:port`, failing after `timeoutMs`. */
  static async open(host: string, port: number, timeoutMs: number): Promise<KafkaConnection> {
    const socket = connect({ host, port });
    const timer = setTimeout(() => socket.destroy(new Error(`connect to ${host}:${port}: no answer within ${timeoutMs} ms`)), timeoutMs);
    try {
      await once(socket, 'connect');
    } finally {
      clearTimeout(timer);
    }
    return new KafkaConnection(`${host}:${port}`, socket);
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Sends one request; rejects if the connection closes or `timeoutMs` passes first (and then closes it: the stream is out of step). */
  async request<A extends ApiSpec>(api: A, version: number, body: RequestOf<A>, timeoutMs: number): Promise<ResponseOf<A>> {
    if (this.#closed) throw new Error(`${api.name} to ${this.address}: connection closed`);
    const correlationId = this.#nextCorrelationId++;
    const frame = new Promise<Buffer>((resolve, reject) => this.#pending.set(correlationId, { resolve, reject }));
    const timer = setTimeout(() => {
      this.#fail(`${api.name} v${version} to ${this.address}: no response within ${timeoutMs} ms`);
    }, timeoutMs);
    this.#socket.write(encodeRequest(api, version, correlationId, 'kstream-bench', body));
    try {
      return decodeResponse(api, version, await frame).body;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.#fail(`connection to ${this.address} closed by the benchmark`);
  }

  #fail(reason: string): void {
    this.#closed = true;
    this.#socket.destroy();
    for (const pending of this.#pending.values()) pending.reject(new Error(reason));
    this.#pending.clear();
  }
}
