// A bare Kafka connection for the tests that must see exactly what a broker
// answers (error codes per partition, stored batches) or send what no client
// would (bad frames). Requests are pipelined: responses are matched to
// requests by correlationId, and the order they arrived in is kept so a test
// can check the broker answers in request order.
import type { Socket } from 'node:net';
import { decodeResponse, encodeRequest, errorInfo, FrameReader, responseCorrelationId } from '@kstream/protocol';
import type { ApiSpec, RequestOf, ResponseOf } from '@kstream/protocol';
import { openConnection } from '../src/cluster.test-support.js';

/** A request body where fields left out take their schema defaults, as the codec encodes them. */
export type RequestBody<A extends ApiSpec> = Partial<RequestOf<A>> & Record<string, unknown>;

interface Pending {
  readonly api: ApiSpec;
  readonly version: number;
  readonly resolve: (body: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const RESPONSE_TIMEOUT_MS = 15_000;

export class RawConnection {
  readonly #socket: Socket;
  readonly #frames = new FrameReader(256 * 1024 * 1024);
  readonly #pending = new Map<number, Pending>();
  #nextCorrelationId = 1;
  #closedBy: string | null = null;
  /** Correlation ids of the responses received, in arrival order. */
  readonly arrivals: number[] = [];
  /** Resolves when the socket closes, for whatever reason. */
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.#frames.push(chunk)) this.#onFrame(frame);
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.#closedBy ??= 'the broker';
        for (const [id, pending] of this.#pending) {
          clearTimeout(pending.timer);
          pending.reject(new Error(`${pending.api.name} v${pending.version} (correlationId ${id}): connection closed by ${this.#closedBy} before a response`));
        }
        this.#pending.clear();
        resolve();
      }),
    );
  }

  static async open(port: number): Promise<RawConnection> {
    return new RawConnection(await openConnection(port));
  }

  /** The local port: the broker names the connection by it in its log. */
  get localPort(): number {
    return this.#socket.localPort!;
  }

  get isClosed(): boolean {
    return this.#closedBy !== null;
  }

  /** The whole frame of a request, with the correlationId it will be answered under. */
  frame<A extends ApiSpec>(api: A, version: number, body: RequestBody<A>): { frame: Buffer; correlationId: number } {
    const correlationId = this.#nextCorrelationId++;
    return { frame: requestFrame(api, version, correlationId, body), correlationId };
  }

  /** Waits for the response to a request already written (see `frame` and `write`). */
  response<A extends ApiSpec>(api: A, version: number, correlationId: number): Promise<ResponseOf<A>> {
    return new Promise((resolve, reject) => {
      if (this.isClosed) {
        reject(new Error(`${api.name} v${version}: connection already closed by ${this.#closedBy}`));
        return;
      }
      const timer = setTimeout(() => {
        this.#pending.delete(correlationId);
        reject(new Error(`${api.name} v${version} (correlationId ${correlationId}): no response within ${RESPONSE_TIMEOUT_MS} ms`));
      }, RESPONSE_TIMEOUT_MS);
      this.#pending.set(correlationId, { api, version, resolve: resolve as (body: unknown) => void, reject, timer });
    });
  }

  async request<A extends ApiSpec>(api: A, version: number, body: RequestBody<A>): Promise<ResponseOf<A>> {
    const { frame, correlationId } = this.frame(api, version, body);
    const answer = this.response(api, version, correlationId);
    this.write(frame);
    return answer;
  }

  write(bytes: Buffer): void {
    this.#socket.write(bytes);
  }

  /** Resolves true once the broker closed the connection, false if it is still open after `timeoutMs`. */
  async closesWithin(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const result = await Promise.race([this.closed.then(() => true as const), timeout]);
    clearTimeout(timer);
    return result;
  }

  close(): void {
    this.#closedBy ??= 'the test';
    this.#socket.destroy();
  }

  #onFrame(frame: Buffer): void {
    const correlationId = responseCorrelationId(frame);
    this.arrivals.push(correlationId);
    const pending = this.#pending.get(correlationId);
    if (pending === undefined) return;
    this.#pending.delete(correlationId);
    clearTimeout(pending.timer);
    try {
      pending.resolve(decodeResponse(pending.api, pending.version, Buffer.from(frame)).body);
    } catch (error) {
      pending.reject(error as Error);
    }
  }
}

/** A whole request frame, size prefix included. */
export function requestFrame<A extends ApiSpec>(api: A, version: number, correlationId: number, body: RequestBody<A>): Buffer {
  return encodeRequest(api, version, correlationId, 'kstream-compat', body as RequestOf<A>);
}

/** Kafka's name for an error code, so a failed assertion reads "NOT_LEADER_OR_FOLLOWER", not 6. */
export function errorName(code: number): string {
  return errorInfo(code).name;
}
