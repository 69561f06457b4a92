// One fuzzer connection to a broker. Requests are pipelined and matched to
// responses by correlationId; responses must come back in request order (a
// request the broker does not answer, a Produce with acks=0, keeps no place).
// A close is reported to every request still waiting, with the local port
// the broker's log names the connection by.
import type { Socket } from 'node:net';
import { FrameReader, responseCorrelationId } from '@kstream/protocol';
import { openConnection } from '../src/cluster.test-support.js';

export type Outcome = { readonly kind: 'answered'; readonly frame: Buffer } | { readonly kind: 'closed' } | { readonly kind: 'silent'; readonly afterMs: number };

interface Waiting {
  readonly resolve: (outcome: Outcome) => void;
  readonly timer: NodeJS.Timeout;
}

/** Responses can be large (a Fetch of many partitions); the broker bounds them, not this reader. */
const MAX_RESPONSE_BYTES = 1024 * 1024 * 1024;

export class FuzzConnection {
  readonly #socket: Socket;
  readonly #frames = new FrameReader(MAX_RESPONSE_BYTES);
  /** Correlation ids waiting for a response, in the order sent. */
  readonly #waiting = new Map<number, Waiting>();
  #closed = false;
  /** Frames that answered no request or came out of order: each is a broker bug. */
  readonly strays: string[] = [];
  readonly localPort: number;

  private constructor(socket: Socket) {
    this.#socket = socket;
    this.localPort = socket.localPort!;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => {});
    socket.once('close', () => {
      this.#closed = true;
      for (const waiting of this.#waiting.values()) {
        clearTimeout(waiting.timer);
        waiting.resolve({ kind: 'closed' });
      }
      this.#waiting.clear();
    });
  }

  static async open(port: number): Promise<FuzzConnection> {
    return new FuzzConnection(await openConnection(port));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Requests written and not yet answered. */
  get inFlight(): number {
    return this.#waiting.size;
  }

  /**
   * Writes `frame` and resolves with its response, the close of the
   * connection, or silence after `timeoutMs`. With `correlationId` null the
   * first frame that arrives is taken as the answer, whatever its id (a
   * mutated frame may have changed its own).
   */
  send(frame: Buffer, correlationId: number | null, timeoutMs: number): Promise<Outcome> {
    const key = correlationId ?? ANY;
    return new Promise((resolve) => {
      if (this.#closed) {
        resolve({ kind: 'closed' });
        return;
      }
      const timer = setTimeout(() => {
        this.#waiting.delete(key);
        resolve({ kind: 'silent', afterMs: timeoutMs });
      }, timeoutMs);
      this.#waiting.set(key, { resolve, timer });
      this.#socket.write(frame);
    });
  }

  /** Writes a request that gets no response (Produce with acks=0). */
  sendUnanswered(frame: Buffer): void {
    if (!this.#closed) this.#socket.write(frame);
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.#frames.push(chunk);
    } catch (error) {
      this.strays.push(`a response frame size the reader refused: ${(error as Error).message}`);
      this.close();
      return;
    }
    for (const frame of frames) this.#onFrame(Buffer.from(frame));
  }

  #onFrame(frame: Buffer): void {
    const any = this.#waiting.get(ANY);
    if (any !== undefined) {
      this.#answer(ANY, any, frame);
      return;
    }
    if (frame.length < 8) {
      this.strays.push(`a ${frame.length}-byte response frame, too short for a correlationId`);
      return;
    }
    const correlationId = responseCorrelationId(frame);
    const [first] = this.#waiting.keys();
    const waiting = this.#waiting.get(correlationId);
    if (waiting === undefined) {
      this.strays.push(`a response with correlationId ${correlationId}, which no request waiting on this connection has`);
      return;
    }
    if (first !== correlationId) this.strays.push(`the response to correlationId ${correlationId} came before the one to ${first}, sent earlier`);
    this.#answer(correlationId, waiting, frame);
  }

  #answer(key: number, waiting: Waiting, frame: Buffer): void {
    clearTimeout(waiting.timer);
    this.#waiting.delete(key);
    waiting.resolve({ kind: 'answered', frame });
  }
}

/** The key of a send that takes whatever frame comes first: no correlationId is negative in the fuzzer's requests. */
const ANY = -1;
