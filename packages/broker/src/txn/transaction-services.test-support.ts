// A transaction coordinator and a producer id source for the broker
// services of handler and network tests: the coordinator is the broker's own
// wiring over the test's partitions; producer ids count up from 1000 unless
// the test brings its own source.
import { afterEach } from 'vitest';
import type { Logger } from '@kstream/actor';
import type { ProducerIdSource, TransactionCoordinator } from '@kstream/transaction-coordinator';
import type { BrokerMetadata } from '../metadata/broker-metadata.js';
import type { ReplicaManager } from '../partitions/replica-manager.js';
import type { PeerLinks } from '../peers/peer-links.js';
import { startBrokerTransactionCoordinator } from './broker-transaction-coordinator.js';

const started: TransactionCoordinator[] = [];

afterEach(() => {
  for (const coordinator of started.splice(0)) coordinator.close();
});

/** Producer ids from `first` on, one after the other. */
export function countingProducerIds(first = 1000n): ProducerIdSource & { readonly handedOut: bigint[] } {
  const handedOut: bigint[] = [];
  let next = first;
  return {
    handedOut,
    generate: async () => {
      handedOut.push(next);
      return next++;
    },
  };
}

export interface TransactionServicesOptions {
  readonly brokerId: number;
  readonly metadata: BrokerMetadata;
  readonly partitions: ReplicaManager;
  readonly peers: PeerLinks;
  readonly logger: Logger;
  readonly producerIds?: ProducerIdSource;
}

/** The broker's transaction coordinator over the test's services, closed after the test. */
export function testTransactionServices(options: TransactionServicesOptions): { transactions: TransactionCoordinator; producerIds: ProducerIdSource } {
  const producerIds = options.producerIds ?? countingProducerIds();
  const transactions = startBrokerTransactionCoordinator({ ...options, producerIds });
  started.push(transactions);
  return { transactions, producerIds };
}
