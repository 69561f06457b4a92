// The broker workers' JavaScript heaps, read through this process's own
// inspector: startCluster runs the brokers as worker threads of the
// benchmark's process, and the inspector's NodeWorker domain attaches to
// each (`[worker N] broker-<id>`), where HeapProfiler.collectGarbage runs a
// full GC and process.memoryUsage() evaluated in the worker answers its own
// isolate's heap used and external bytes (buffers, whose bytes live off the
// heap: a kept view of a socket chunk holds the whole chunk). No control API
// needed, nothing added to the brokers.
import { Session } from 'node:inspector';
import { median } from '../harness.js';

interface AttachedWorker {
  readonly sessionId: string;
  readonly title: string;
}

const BROKER_TITLE = /\bbroker-\d+$/;

export interface BrokerMemory {
  readonly heapUsed: number;
  readonly external: number;
}
const ANSWER_TIMEOUT_MS = 30_000;

export class WorkerHeaps {
  readonly #session = new Session();
  readonly #workers = new Map<string, AttachedWorker>();
  readonly #pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 1;

  private constructor() {}

  static async open(): Promise<WorkerHeaps> {
    const heaps = new WorkerHeaps();
    const session = heaps.#session;
    session.connect();
    session.on('NodeWorker.attachedToWorker', (event: { params: { sessionId: string; workerInfo: { title: string } } }) => {
      heaps.#workers.set(event.params.sessionId, { sessionId: event.params.sessionId, title: event.params.workerInfo.title });
    });
    session.on('NodeWorker.detachedFromWorker', (event: { params: { sessionId: string } }) => heaps.#workers.delete(event.params.sessionId));
    session.on('NodeWorker.receivedMessageFromWorker', (event: { params: { message: string } }) => {
      const message = JSON.parse(event.params.message) as { id?: number; result?: unknown; error?: { message: string } };
      const pending = message.id === undefined ? undefined : heaps.#pending.get(message.id);
      if (pending === undefined) return;
      heaps.#pending.delete(message.id!);
      if (message.error !== undefined) pending.reject(new Error(message.error.message));
      else pending.resolve(message.result);
    });
    await new Promise<void>((resolve, reject) => session.post('NodeWorker.enable', { waitForDebuggerOnStart: false }, (error) => (error ? reject(error) : resolve())));
    await new Promise((resolve) => setTimeout(resolve, 200));
    return heaps;
  }

  /**
   * Each broker's heap used and external bytes after a full GC in it, by
   * broker name (`broker-1`): the median of `samples` readings 200 ms apart,
   * since what a broker holds in flight (a parked fetch, a request being
   * read) moves a single reading by a few hundred KiB.
   */
  async brokerMemory(samples = 5): Promise<Map<string, BrokerMemory>> {
    const readings = new Map<string, BrokerMemory[]>();
    for (let i = 0; i < samples; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      for (const worker of this.#workers.values()) {
        const name = BROKER_TITLE.exec(worker.title)?.[0];
        if (name === undefined) continue;
        await this.#ask(worker, 'HeapProfiler.collectGarbage');
        const answer = (await this.#ask(worker, 'Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })) as { result: { value: string } };
        const { heapUsed, external } = JSON.parse(answer.result.value) as { heapUsed: number; external: number };
        readings.set(name, [...(readings.get(name) ?? []), { heapUsed, external }]);
      }
    }
    if (readings.size === 0) throw new Error(`no broker worker among the inspector's workers (${[...this.#workers.values()].map((w) => w.title).join(', ') || 'none'})`);
    return new Map(
      [...readings].sort(([a], [b]) => a.localeCompare(b)).map(([name, r]) => [name, { heapUsed: median(r.map((m) => m.heapUsed)), external: median(r.map((m) => m.external)) }]),
    );
  }

  close(): void {
    this.#session.disconnect();
  }

  #ask(worker: AttachedWorker, method: string, params: object = {}): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${method} in ${worker.title}: no answer within ${ANSWER_TIMEOUT_MS} ms`));
      }, ANSWER_TIMEOUT_MS);
      this.#pending.set(id, {
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#session.post('NodeWorker.sendMessageToWorker', { sessionId: worker.sessionId, message: JSON.stringify({ id, method, params }) });
    });
  }
}
