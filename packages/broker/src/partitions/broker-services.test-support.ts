// Real broker services for the data handlers' tests: a metadata cache fed
// records as the controller would push them, a ReplicaManager on a temp
// directory kept in step with it by syncReplicaManager, the group and
// transaction coordinators over it, peer links serving what other brokers
// ask, and a request context per API version.
import { MessageChannel } from 'node:worker_threads';
import { afterEach } from 'vitest';
import { Mailbox } from '@kstream/actor';
import type { GroupCoordinator } from '@kstream/group-coordinator';
import type { BrokerConfigProps, MetadataRecord } from '@kstream/metadata';
import type { ProducerIdSource } from '@kstream/transaction-coordinator';
import { decodeResponse, encodeResponse, type ApiSpec, type ResponseOf } from '@kstream/protocol';
import { startBrokerGroupCoordinator } from '../groups/broker-group-coordinator.js';
import type { BrokerServices, RequestContext } from '../handlers/handler.js';
import type { ControllerChannel } from '../messages.js';
import { BrokerMetadata } from '../metadata/broker-metadata.js';
import { PeerLinks } from '../peers/peer-links.js';
import { testTransactionServices } from '../txn/transaction-services.test-support.js';
import { syncReplicaManager } from './metadata-sync.js';
import { servePeers } from './replica-peers.js';
import { BROKER_ID, openManager, recordingLogger } from './partitions.test-support.js';

const channels: MessageChannel[] = [];
const coordinators: GroupCoordinator[] = [];
const peerLinks: PeerLinks[] = [];

afterEach(() => {
  for (const coordinator of coordinators.splice(0)) coordinator.close();
  for (const links of peerLinks.splice(0)) links.close();
  for (const channel of channels.splice(0)) {
    channel.port1.close();
    channel.port2.close();
  }
});

export interface TopicSpec {
  name: string;
  topicId: string;
  partitions?: number;
  leader?: number;
  leaderEpoch?: number;
  configs?: Record<string, string>;
}

/** The records that create `topics` on brokers 1 and 2 (broker 1 leads unless a spec says otherwise). */
export function clusterRecords(...topics: TopicSpec[]): MetadataRecord[] {
  const records: MetadataRecord[] = [
    { type: 'ClusterId', clusterId: 'test-cluster' },
    { type: 'RegisterBroker', brokerId: 1, brokerEpoch: 1, host: '127.0.0.1', port: 9092 },
    { type: 'RegisterBroker', brokerId: 2, brokerEpoch: 2, host: '127.0.0.1', port: 9093 },
  ];
  for (const topic of topics) records.push(...topicRecords(topic));
  return records;
}

export function topicRecords(topic: TopicSpec): MetadataRecord[] {
  const leader = topic.leader ?? BROKER_ID;
  const records: MetadataRecord[] = [{ type: 'Topic', name: topic.name, topicId: topic.topicId }];
  for (let partition = 0; partition < (topic.partitions ?? 1); partition++) {
    records.push({ type: 'Partition', topicId: topic.topicId, partition, replicas: [leader], isr: [leader], leader, leaderEpoch: topic.leaderEpoch ?? 0, partitionEpoch: 0 });
  }
  for (const [name, value] of Object.entries(topic.configs ?? {})) records.push({ type: 'Config', resourceType: 'topic', resourceName: topic.name, name, value });
  return records;
}

export interface TestBroker {
  readonly services: BrokerServices;
  readonly metadata: BrokerMetadata;
  /** Applies records as a controller push and waits until the partitions they touch are hosted or removed. */
  push(records: MetadataRecord[]): Promise<void>;
  context<A extends ApiSpec>(api: A, apiVersion: number): RequestContext<A>;
}

export interface TestBrokerOptions {
  /** 1 unless set. */
  readonly brokerId?: number;
  /** Producer ids counting up from 1000 unless set. */
  readonly producerIds?: ProducerIdSource;
}

/**
 * Broker 1 (or `options.brokerId`) with `records` loaded as its registration
 * snapshot, its partitions open, started with `staticConfig`; its peer links
 * serve what other brokers ask (pair them with pairBrokers).
 */
export async function testBroker(records: MetadataRecord[], staticConfig: BrokerConfigProps = {}, options: TestBrokerOptions = {}): Promise<TestBroker> {
  const brokerId = options.brokerId ?? BROKER_ID;
  const logger = recordingLogger();
  const channel = new MessageChannel();
  channels.push(channel);
  const controller: ControllerChannel = new Mailbox(channel.port1, { name: 'controller', logger });
  const metadata = new BrokerMetadata(brokerId, staticConfig);
  const partitions = await openManager({ brokerId, logger, fetchSessionCachePartitions: metadata.brokerConfig['max.incremental.fetch.session.cache.partitions'] });
  const groups = startBrokerGroupCoordinator({ brokerId, metadata, partitions, logger });
  coordinators.push(groups);
  const peers = new PeerLinks(brokerId, logger);
  peerLinks.push(peers);
  servePeers(
    peers,
    partitions,
    () => metadata.brokerConfig['offsets.commit.timeout.ms'],
    (request) => transactionServices.transactions.verifyPartitions(request),
  );
  const transactionServices = testTransactionServices({ brokerId, metadata, partitions, peers, logger, producerIds: options.producerIds });
  syncReplicaManager(metadata, partitions, logger);
  const settle = async () => {
    for (const topic of metadata.state.topics.values()) {
      for (const p of topic.partitions) await partitions.leaderPartition(topic.name, p.partition).catch(() => undefined);
    }
    // A removal has no partition left to wait on: the manager's pending work is what it waits for.
    await new Promise((resolve) => setTimeout(resolve, 10));
  };
  metadata.loadSnapshot(records, records.length - 1);
  await settle();
  const services: BrokerServices = { brokerId, config: metadata.brokerConfig, metadata, controller, partitions, peers, groups, ...transactionServices, logger };
  return {
    services,
    metadata,
    async push(more) {
      metadata.applyUpdate(more, metadata.appliedOffset + more.length);
      await settle();
    },
    context: (api, apiVersion) => ({ api, apiVersion, correlationId: 1, clientId: 'test', connectionId: '127.0.0.1:1', broker: services }),
  };
}

/** What the node does for a pair of brokers: one channel, an end to each; returns it (closed after the test). */
export function pairBrokers(a: TestBroker, b: TestBroker): MessageChannel {
  const channel = new MessageChannel();
  channels.push(channel);
  a.services.peers.attach(b.services.brokerId, channel.port1);
  b.services.peers.attach(a.services.brokerId, channel.port2);
  return channel;
}

/** The response as a client of `apiVersion` would decode it: proves the handler's answer encodes in that version. */
export function overTheWire<A extends ApiSpec>(api: A, apiVersion: number, response: ResponseOf<A>): ResponseOf<A> {
  return decodeResponse(api, apiVersion, encodeResponse(api, apiVersion, 7, response)).body;
}
