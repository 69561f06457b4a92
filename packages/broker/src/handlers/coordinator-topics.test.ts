import { MessageChannel } from 'node:worker_threads';
import { Mailbox } from '@kstream/actor';
import { packAdminReply } from '@kstream/metadata';
import type { ControllerRequest, CreateTopicsReply, CreateTopicsRequest, MetadataRecord } from '@kstream/metadata';
import { ErrorCode, FindCoordinator } from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControllerChannel } from '../messages.js';
import { BrokerMetadata } from '../metadata/broker-metadata.js';
import { clusterRecords, topicRecords } from '../partitions/broker-services.test-support.js';
import { openManager, recordingLogger } from '../partitions/partitions.test-support.js';
import { PeerLinks } from '../peers/peer-links.js';
import { findCoordinatorHandler } from './find-coordinator-handler.js';
import type { BrokerServices, RequestContext } from './handler.js';
import { startBrokerGroupCoordinator } from '../groups/broker-group-coordinator.js';
import { testTransactionServices } from '../txn/transaction-services.test-support.js';

const OFFSETS_TOPIC_ID = '0c0c0c0c-0000-4000-8000-000000000001';
const closing: { close(): void }[] = [];
afterEach(() => {
  for (const mailbox of closing.splice(0)) mailbox.close();
});

/**
 * Broker 1 of a two-broker cluster (__consumer_offsets: 3 partitions,
 * replication factor 2) whose controller is played by `answer`; every
 * CreateTopics it receives is kept in `asks`.
 */
async function brokerWithController(answer: (msg: CreateTopicsRequest, metadata: BrokerMetadata) => Promise<CreateTopicsReply>) {
  const logger = recordingLogger();
  const metadata = new BrokerMetadata(1, { 'offsets.topic.num.partitions': '3', 'offsets.topic.replication.factor': '2' });
  const records = clusterRecords();
  metadata.loadSnapshot(records, records.length - 1);
  const { port1, port2 } = new MessageChannel();
  const asks: CreateTopicsRequest[] = [];
  const controller: ControllerChannel = new Mailbox(port1, { name: 'controller', logger });
  const controllerEnd = new Mailbox<ControllerRequest>(port2, {
    name: 'broker-1',
    logger,
    handle: (msg) => {
      if (msg.type !== 'CreateTopics') throw new Error(`unexpected ${msg.type}`);
      asks.push(msg);
      // A broker's channel carries admin replies packed, as the controller sends them.
      return answer(msg, metadata).then(packAdminReply);
    },
  });
  closing.push(controller, controllerEnd);
  const partitions = await openManager();
  const groups = startBrokerGroupCoordinator({ brokerId: 1, metadata, partitions, logger });
  closing.push(groups);
  const peers = new PeerLinks(1, logger);
  const transactionServices = testTransactionServices({ brokerId: 1, metadata, partitions, peers, logger });
  const services: BrokerServices = { brokerId: 1, config: metadata.brokerConfig, metadata, controller, partitions, peers, groups, ...transactionServices, logger };
  const context = (apiVersion: number): RequestContext<typeof FindCoordinator> => ({
    api: FindCoordinator,
    apiVersion,
    correlationId: 1,
    clientId: 'test',
    connectionId: '127.0.0.1:1',
    broker: services,
  });
  const find = (apiVersion: number, keys: string[]) => findCoordinatorHandler.handle({ key: keys[0] ?? '', keyType: 0, coordinatorKeys: keys }, context(apiVersion));
  return { metadata, asks, logger, find };
}

/** Applies the records that create __consumer_offsets (broker 2 leading every partition), as a controller push would. */
function createOffsetsTopic(metadata: BrokerMetadata): number {
  const records: MetadataRecord[] = topicRecords({ name: '__consumer_offsets', topicId: OFFSETS_TOPIC_ID, partitions: 3, leader: 2 });
  const lastOffset = metadata.appliedOffset + records.length;
  metadata.applyUpdate(records, lastOffset);
  return lastOffset;
}

const until = async (condition: () => boolean) => {
  const deadline = Date.now() + 5_000;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('coordinator topic creation', () => {
  it('asksOnceWhileCreating: concurrent requests ask the controller once, with Kafka partitions, replication factor and configs', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const broker = await brokerWithController(async (msg, metadata) => {
      await released;
      const metadataOffset = createOffsetsTopic(metadata);
      const topic = msg.topics[0]!;
      return {
        metadataOffset,
        topics: [{ name: topic.name, topicId: OFFSETS_TOPIC_ID, errorCode: 0, errorMessage: null, numPartitions: 3, replicationFactor: 2, configs: [] }],
      };
    });

    const answers = await Promise.all([...Array.from({ length: 10 }, (_, i) => broker.find(3, [`group-${i}`])), broker.find(4, ['a', 'b', 'c']), broker.find(5, ['d'])]);
    const codes = answers.flatMap((answer) => {
      if (typeof answer !== 'object') throw new Error('FindCoordinator always answers');
      return answer.coordinators.length > 0 ? answer.coordinators.map((c) => c.errorCode) : [answer.errorCode];
    });
    expect(codes).toEqual(Array.from({ length: 14 }, () => ErrorCode.COORDINATOR_NOT_AVAILABLE));
    await until(() => broker.asks.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(broker.asks).toEqual([
      {
        type: 'CreateTopics',
        topics: [
          {
            name: '__consumer_offsets',
            numPartitions: 3,
            replicationFactor: 2,
            assignments: [],
            configs: [
              { name: 'cleanup.policy', value: 'compact' },
              { name: 'compression.type', value: 'producer' },
              { name: 'segment.bytes', value: '104857600' },
            ],
          },
        ],
        validateOnly: false,
      },
    ]);
    const v3 = await broker.find(3, ['my-group']);
    expect(v3).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: '__consumer_offsets is being created' });

    release();
    await until(() => broker.metadata.topicByName('__consumer_offsets') !== undefined);
    expect(await broker.find(3, ['my-group'])).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: 2, host: '127.0.0.1', port: 9093 });
    expect(broker.asks).toHaveLength(1);
  });

  it('failedCreationAskedAgain: a refused creation is logged, and the next request asks again', async () => {
    const broker = await brokerWithController(async (msg, metadata) => ({
      metadataOffset: metadata.appliedOffset,
      topics: [
        {
          name: msg.topics[0]!.name,
          topicId: null,
          errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
          errorMessage: 'Unable to replicate the partition 2 time(s)',
          numPartitions: -1,
          replicationFactor: -1,
          configs: [],
        },
      ],
    }));
    expect(await broker.find(3, ['g'])).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE });
    await until(() => broker.logger.lines.some((l) => l.startsWith('WARN')));
    expect(broker.logger.lines).toContain('WARN broker 1: creating __consumer_offsets failed: Unable to replicate the partition 2 time(s)');
    expect(await broker.find(3, ['g'])).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE });
    await until(() => broker.asks.length === 2);
    expect(broker.asks).toHaveLength(2);
  });
});
