import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { poolTaskWorkerUrl } from '@kstream/broker';
import type { PoolTaskName, PoolTaskOutput, PoolTaskRequest } from '@kstream/broker';

/**
 * The node's one piscina pool for CPU-heavy, stateless work that brokers
 * submit (decompression now; index rebuilds and log cleaning later), sized to
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
      // From source the task module is TypeScript: piscina's own worker script
      // imports it, so tsx registered in the thread (and the source condition
      // for sibling packages) is enough.
      ...(source ? { execArgv: ['--import', 'tsx', '--conditions=@kstream/source'] } : {}),
    });
  }

  run<N extends PoolTaskName>(request: PoolTaskRequest<N>): Promise<PoolTaskOutput<N>> {
    return this.#piscina.run(request) as Promise<PoolTaskOutput<N>>;
  }

  /** Lets queued and running tasks finish, then stops the threads. */
  async close(): Promise<void> {
    await this.#piscina.close();
  }
}
