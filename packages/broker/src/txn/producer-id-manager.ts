// Producer ids for this broker, in blocks the controller hands out (Kafka's
// RPCProducerIdManager). SCAFFOLD (issue 13): the API is fixed, the
// allocation is being built.
import type { Logger } from '@kstream/actor';
import { ErrorCode } from '@kstream/protocol';
import { PartitionError } from '@kstream/replication';
import type { ControllerChannel } from '../messages.js';

export interface ProducerIdManagerOptions {
  readonly brokerId: number;
  /** The broker's registration epoch, which AllocateProducerIds carries (a stale one is refused). */
  readonly brokerEpoch: () => number;
  readonly controller: ControllerChannel;
  readonly logger: Logger;
}

/** Hands out producer ids unique across the node and its restarts. Owned by the broker's loop. */
export class ProducerIdManager {
  constructor(private readonly options: ProducerIdManagerOptions) {}

  /** The next producer id; rejects with a PartitionError(COORDINATOR_LOAD_IN_PROGRESS) while no block is available (clients retry). */
  generate(): Promise<bigint> {
    return Promise.reject(
      new PartitionError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, `broker ${this.options.brokerId}: producer id blocks are not built yet (issue 13)`),
    );
  }

  close(): void {}
}
