import type { Logger } from '@kstream/log-storage';
import type { ProducerIdSource, TransactionCoordinatorConfig } from '../coordinator-types.js';
import type { TransactionShards } from './transaction-shards.js';
import type { TransitionWriter } from './transition-writer.js';
import type { TxnMarkerSender } from './txn-marker-sender.js';

/** What the coordinator's operations share: its shards, the writer of transitions, the marker sender. Owned by the broker's loop. */
export interface CoordinatorContext {
  readonly shards: TransactionShards;
  readonly writer: TransitionWriter;
  readonly markerSender: TxnMarkerSender;
  readonly producerIds: ProducerIdSource;
  readonly config: () => TransactionCoordinatorConfig;
  readonly clock: () => number;
  readonly logger: Logger;
}
