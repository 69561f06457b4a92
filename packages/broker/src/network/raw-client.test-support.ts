// A raw Kafka client for tests: writes request frames as given (whole,
// several at once, or bytes no client would send) and reads the responses
// in arrival order, so tests see exactly what the broker put on the wire.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { decodeResponse, encodeRequest, FrameReader, responseCorrelationId } from '@kstream/protocol';
import type { ApiSpec, RequestOf, ResponseOf } from '@kstream/protocol';

export class RawClient {
  readonly frames: Buffer[] = [];
  readonly closed: Promise<void>;
  #waiters: (() => void)[] = [];
  #nextCorrelationId = 1;

  private constructor(readonly socket: Socket) {
    const reader = new FrameReader(1 << 30);
    socket.on('data', (chunk) => {
      this.frames.push(...reader.push(chunk));
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.socket.destroyed || this.socket.readableEnded;
  }

  /** A request frame with the next correlation id. */
  frame<A extends ApiSpec>(api: A, version: number, body: RequestOf<A>, clientId: string | null = 'raw-client'): { frame: Buffer; correlationId: number } {
    const correlationId = this.#nextCorrelationId++;
    return { frame: encodeRequest(api, version, correlationId, clientId, body), correlationId };
  }

  write(...buffers: Buffer[]): void {
    this.socket.write(Buffer.concat(buffers));
  }

  /** Waits for the `count`th response frame (1-based) and returns all received so far. */
  async waitForFrames(count: number, timeoutMs = 5_000): Promise<Buffer[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < count) {
      if (this.isClosed) throw new Error(`connection closed after ${this.frames.length} of ${count} responses`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.frames.length} of ${count} responses within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.frames;
  }

  /** Sends one request and decodes the next response, which must answer it. */
  async request<A extends ApiSpec>(api: A, version: number, body: RequestOf<A>): Promise<ResponseOf<A>> {
    const { frame, correlationId } = this.frame(api, version, body);
    const index = this.frames.length;
    this.write(frame);
    const frames = await this.waitForFrames(index + 1);
    const response = frames[index]!;
    if (responseCorrelationId(response) !== correlationId) throw new Error(`response ${responseCorrelationId(response)} answers another request`);
    return decodeResponse(api, version, response).body;
  }

  close(): void {
    this.socket.destroy();
  }
}
