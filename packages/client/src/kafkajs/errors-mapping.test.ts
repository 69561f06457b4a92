import { describe, expect, it } from 'vitest';
import {
  KafkaClientError,
  KafkaClosedError,
  KafkaConfigError,
  KafkaConnectionError,
  KafkaProtocolError,
  KafkaRetriesExhaustedError,
  KafkaTimeoutError,
  KafkaUnsupportedVersionError,
} from '../errors/index.js';
import {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSOffsetOutOfRange,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSServerDoesNotSupportApiKey,
} from './errors.js';
import { afterRetries, toKafkaJSError } from './errors-mapping.js';

describe('toKafkaJSError', () => {
  it('protocolErrorsKeepCodeRetriabilityAndKafkajsTypeNames: codes 6, 14, 15, 16 and -1 by kafkajs names, the rest by Kafka names', () => {
    const cases: [number, string, boolean][] = [
      [6, 'NOT_LEADER_FOR_PARTITION', true],
      [14, 'GROUP_LOAD_IN_PROGRESS', true],
      [15, 'GROUP_COORDINATOR_NOT_AVAILABLE', true],
      [16, 'NOT_COORDINATOR_FOR_GROUP', true],
      [-1, 'UNKNOWN', false],
      [36, 'TOPIC_ALREADY_EXISTS', false],
      [27, 'REBALANCE_IN_PROGRESS', false],
    ];
    for (const [code, type, retriable] of cases) {
      const ours = new KafkaProtocolError(code, { api: 'Produce', topic: 'orders', partition: 3, broker: '2 (127.0.0.1:9093)' });
      const mapped = toKafkaJSError(ours) as KafkaJSProtocolError;
      expect(mapped).toBeInstanceOf(KafkaJSProtocolError);
      expect(mapped).toBeInstanceOf(KafkaJSError);
      expect({ name: mapped.name, type: mapped.type, code: mapped.code, retriable: mapped.retriable }).toEqual({ name: 'KafkaJSProtocolError', type, code, retriable });
      expect(mapped.message).toContain('orders-3');
      expect(mapped.cause).toBe(ours);
    }
  });

  it('offsetOutOfRangeNamesItsPartition', () => {
    const mapped = toKafkaJSError(new KafkaProtocolError(1, { api: 'Fetch', topic: 'orders', partition: 2 })) as KafkaJSOffsetOutOfRange;
    expect(mapped).toBeInstanceOf(KafkaJSOffsetOutOfRange);
    expect({ name: mapped.name, type: mapped.type, topic: mapped.topic, partition: mapped.partition }).toEqual({
      name: 'KafkaJSOffsetOutOfRange',
      type: 'OFFSET_OUT_OF_RANGE',
      topic: 'orders',
      partition: 2,
    });
  });

  it('eachClientErrorHasItsKafkajsCounterpart', () => {
    const connection = toKafkaJSError(new KafkaConnectionError('connection to 127.0.0.1:9093 closed')) as KafkaJSConnectionError;
    expect(connection).toBeInstanceOf(KafkaJSConnectionError);
    expect([connection.name, connection.broker, connection.retriable]).toEqual(['KafkaJSConnectionError', '127.0.0.1:9093', true]);

    const timeout = toKafkaJSError(new KafkaTimeoutError('Fetch to broker 1 (127.0.0.1:9092) timed out after 30000 ms')) as KafkaJSRequestTimeoutError;
    expect(timeout).toBeInstanceOf(KafkaJSRequestTimeoutError);
    expect([timeout.name, timeout.broker]).toEqual(['KafkaJSRequestTimeoutError', '127.0.0.1:9092']);

    const last = new KafkaConnectionError('down');
    const exhausted = toKafkaJSError(new KafkaRetriesExhaustedError('Metadata for orders: gave up after 6 attempts', 6, last)) as KafkaJSNumberOfRetriesExceeded;
    expect(exhausted).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded);
    expect(exhausted).toBeInstanceOf(KafkaJSNonRetriableError);
    expect([exhausted.name, exhausted.retryCount, exhausted.retriable]).toEqual(['KafkaJSNumberOfRetriesExceeded', 6, false]);

    const unsupported = toKafkaJSError(new KafkaUnsupportedVersionError('broker 1 supports no version of InitProducerId'));
    expect(unsupported).toBeInstanceOf(KafkaJSServerDoesNotSupportApiKey);

    for (const fatal of [new KafkaConfigError('lingerMs', -1, 'an integer >= 0'), new KafkaClosedError('the producer is closed')]) {
      const mapped = toKafkaJSError(fatal) as KafkaJSError;
      expect([mapped.name, mapped.retriable, mapped.message]).toEqual(['KafkaJSNonRetriableError', false, fatal.message]);
    }

    const other = toKafkaJSError(new KafkaClientError('something else', { retriable: true })) as KafkaJSError;
    expect([other.name, other.retriable]).toEqual(['KafkaJSError', true]);
  });

  it('errorsTheClientDidNotRaisePassThrough: a handler throw stays the application’s own', () => {
    const own = new TypeError('bad input');
    expect(toKafkaJSError(own)).toBe(own);
    const already = new KafkaJSNonRetriableError('x');
    expect(toKafkaJSError(already)).toBe(already);
  });

  it('afterRetriesWrapsOnlyRetriableErrors, as kafkajs retrier hands them over', () => {
    const retriable = toKafkaJSError(new KafkaProtocolError(3, { topic: 'gone' })) as KafkaJSProtocolError;
    const wrapped = afterRetries(retriable, 5) as KafkaJSNumberOfRetriesExceeded;
    expect([wrapped.name, wrapped.retryCount, wrapped.cause, wrapped.message]).toEqual(['KafkaJSNumberOfRetriesExceeded', 5, retriable, retriable.message]);
    const fatal = toKafkaJSError(new KafkaProtocolError(37));
    expect(afterRetries(fatal, 5)).toBe(fatal);
    const own = new Error('handler');
    expect(afterRetries(own, 5)).toBe(own);
  });
});
