import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { replyWithTransfer } from '@kstream/actor';
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
  readonly #piscina: Piscina;

  constructor() {
    const source = poolTaskWorkerUrl.pathname.endsWith('.ts');
    this.#piscina = new Piscina({
      filename: poolTaskWorkerUrl.href,
      minThreads: 0,
      maxThreads: availableParallelism(),
      idleTimeout: 30_000,
      // From source the task module is TypeScript. Piscina's own worker script
      // imports it, so tsx loaded into the thread (and the source condition
      // for sibling packages) is enough; no bootstrap module is needed.
      ...(source ? { execArgv: ['--import', import.meta.resolve('tsx'), '--conditions=@kstream/source'] } : {}),
    });
  }

  run<N extends PoolTaskName>(request: PoolTaskRequest<N>): Promise<PoolTaskOutput<N>> {
    return this.#piscina.run(request) as Promise<PoolTaskOutput<N>>;
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
    await this.#piscina.close();
  }
}
