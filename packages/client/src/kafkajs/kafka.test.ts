import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { logLevel } from './constants.js';
import { KafkaJSError, KafkaJSNonRetriableError } from './errors.js';
import { Kafka } from './kafka.js';
import type { LogEntry } from './logger.js';

const brokers = ['127.0.0.1:1'];

describe('Kafka (kafkajs entry)', () => {
  afterEach(() => {
    delete process.env['KAFKAJS_LOG_LEVEL'];
  });

  it('refusesWhatTheClientCannotHonour: ssl, sasl and socketFactory, naming the option', () => {
    expect(() => new Kafka({ brokers, ssl: true })).toThrow(/bad option ssl/);
    expect(() => new Kafka({ brokers, ssl: {} })).toThrow(KafkaJSNonRetriableError);
    expect(() => new Kafka({ brokers, sasl: { mechanism: 'plain', username: 'u', password: 'p' } })).toThrow(/bad option sasl/);
    expect(() => new Kafka({ brokers, socketFactory: () => new Socket() })).toThrow(/bad option socketFactory/);
    expect(() => new Kafka({ brokers: 'a:1' as unknown as string[] })).toThrow(/bad option brokers/);
    expect(() => new Kafka({ brokers, ssl: false })).not.toThrow();
  });

  it('transactionNeedsATransactionalIdThenAConnect, with kafkajs’s errors', async () => {
    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
    const error = await kafka
      .producer()
      .transaction()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaJSNonRetriableError);
    expect((error as Error).message).toBe('Must provide transactional id for transactional producer');
    const disconnected = await kafka
      .producer({ transactionalId: 'tx' })
      .transaction()
      .catch((e: unknown) => e);
    expect((disconnected as Error).message).toBe('The producer is disconnected');
  });

  it('consumerNeedsAGroupIdAndAKnownAssigner', () => {
    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
    expect(() => kafka.consumer({ groupId: '' })).toThrow('Consumer groupId must be a non-empty string.');
    const custom = () => ({ name: 'mine', version: 0, assign: async () => [], protocol: () => ({ name: 'mine', metadata: Buffer.alloc(0) }) });
    expect(() => kafka.consumer({ groupId: 'g', partitionAssigners: [custom] })).toThrow(/Custom partition assigners are not supported/);
  });

  it('runNeedsAHandlerAndAConnect; seek, pause and commitOffsets need run', async () => {
    const consumer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: 'g' });
    await expect(consumer.run({})).rejects.toThrow('consumer.run needs an eachMessage or an eachBatch handler');
    await expect(consumer.run({ eachMessage: async () => {} })).rejects.toThrow(/Cannot run before connect/);
    expect(() => consumer.seek({ topic: 't', partition: 0, offset: '1' })).toThrow(/consumer#run must be called first/);
    expect(() => consumer.seek({ topic: 't', partition: 0, offset: '-3' })).toThrow('Offset must not be a negative number');
    expect(() => consumer.pause([{ topic: 't' }])).toThrow(KafkaJSNonRetriableError);
    await expect(consumer.commitOffsets([{ topic: 't', partition: 0, offset: '1' }])).rejects.toThrow(KafkaJSNonRetriableError);
    expect(consumer.paused()).toEqual([]);
  });

  it('sendBeforeConnectIsKafkajsDisconnectedError, validation comes first', async () => {
    const producer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer();
    const disconnected = await producer.send({ topic: 't', messages: [{ value: 'v' }] }).catch((e: unknown) => e);
    expect(disconnected).toBeInstanceOf(KafkaJSError);
    expect((disconnected as Error).message).toBe('The producer is disconnected');
    const noValue = await producer.send({ topic: 't', messages: [{ key: 'k' } as never] }).catch((e: unknown) => e);
    expect((noValue as Error).message).toMatch(/Invalid message without value for topic "t"/);
    const idempotent = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer({ idempotent: true });
    const acks1 = await idempotent.send({ topic: 't', acks: 1, messages: [{ value: 'v' }] }).catch((e: unknown) => e);
    expect((acks1 as Error).message).toMatch(/invalidates the idempotent producer/);
  });

  it('eventNamesAreChecked and listeners come off', () => {
    const producer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer();
    expect(() => producer.on('producer.nope' as never, () => {})).toThrow(/Event name should be one of/);
    const off = producer.on(producer.events.CONNECT, () => {});
    expect(off).toBeTypeOf('function');
    off();
  });

  it('logsThroughLogCreatorAtTheLevelAskedWithNamespaces; KAFKAJS_LOG_LEVEL overrides', () => {
    const entries: LogEntry[] = [];
    const kafka = new Kafka({ brokers, logLevel: logLevel.WARN, logCreator: () => (entry) => void entries.push(entry) });
    const logger = kafka.logger();
    logger.info('dropped');
    logger.warn('kept', { topic: 'orders' });
    logger.namespace('Producer').error('named');
    expect(entries.map((e) => [e.namespace, e.label, e.log.message, e.log['topic']])).toEqual([
      ['', 'WARN', 'kept', 'orders'],
      ['Producer', 'ERROR', 'named', undefined],
    ]);
    logger.setLogLevel(logLevel.DEBUG);
    logger.debug('now kept');
    expect(entries.at(-1)?.log.message).toBe('now kept');

    process.env['KAFKAJS_LOG_LEVEL'] = 'nothing';
    const silent: LogEntry[] = [];
    new Kafka({ brokers, logLevel: logLevel.DEBUG, logCreator: () => (entry) => void silent.push(entry) }).logger().error('not shown');
    expect(silent).toEqual([]);
  });

  it('brokersFunctionIsCalledOnConnectAndItsFailureIsKafkajsError', async () => {
    let calls = 0;
    const admin = new Kafka({
      brokers: async () => {
        calls++;
        return [];
      },
      logLevel: logLevel.NOTHING,
    }).admin();
    expect(calls).toBe(0);
    const error = await admin.connect().catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(error).toBeInstanceOf(KafkaJSNonRetriableError);
    expect((error as Error).message).toMatch(/brokers should be a non-empty array/);
  });
});
