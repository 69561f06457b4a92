import { availableParallelism } from 'node:os';
import type { Piscina } from 'piscina';
import { replyWithTransfer, workerExecArgv } from '@kstream/actor';
import { sourceBundle } from '@kstream/actor/source-bundle';
import type { TransferringReply } from '@kstream/actor';
import { poolTaskWorkerUrl } from '@kstream/broker';
import type { PoolTaskName, PoolTaskOutput, PoolTaskRequest, RunPoolTaskRequest } from '@kstream/broker';

/**
 * The node's one piscina pool for CPU-heavy, stateless work that brokers
 * submit (decompression and log cleaning; index rebuilds later), sized to
 * the machine's cores. Threads start on first use and retire when idle, so an
 * idle node costs nothing here.
 */
export class TaskPool {
  /** Made on the first task: from source, the task module's bundle may have to be built first. */
  #piscina: Promise<Piscina> | undefined;

  run<N extends PoolTaskName>(request: PoolTaskRequest<N>): Promise<PoolTaskOutput<N>> {
    this.#piscina ??= TaskPool.#open();
    return this.#piscina.then((piscina) => piscina.run(request) as Promise<PoolTaskOutput<N>>);
  }

  static async #open(): Promise<Piscina> {
    // From source the task module is TypeScript: its threads load its bundle
    // (sourceBundle), without tsx, like the broker workers.
    const filename = poolTaskWorkerUrl.pathname.endsWith('.ts') ? await sourceBundle(poolTaskWorkerUrl) : poolTaskWorkerUrl;
    // Loaded here, not at the node's start: most nodes run no task for a while.
    const { Piscina } = await import('piscina');
    return new Piscina({
      filename: filename.href,
      minThreads: 0,
      maxThreads: availableParallelism(),
      idleTimeout: 30_000,
      execArgv: workerExecArgv(process.execArgv),
    });
  }

  /**
   * Answers a broker's RunPoolTask. The pool's result is a fresh copy owned by
   * this thread, so binary output moves on to the broker instead of being
   * copied again.
   */
  async serve(request: RunPoolTaskRequest): Promise<TransferringReply | PoolTaskOutput<PoolTaskName>> {
    const output = await this.run({ task: request.task, input: request.input });
    return ArrayBuffer.isView(output) ? replyWithTransfer(output, [output.buffer as ArrayBuffer]) : output;
  }

  /** Lets queued and running tasks finish, then stops the threads. */
  async close(): Promise<void> {
    // A pool that could not open has no threads to stop; its error reached the task that opened it.
    const piscina = await this.#piscina?.catch(() => undefined);
    await piscina?.close();
  }
}
