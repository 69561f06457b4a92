import { ErrorCode } from '@kstream/protocol';
import { describe, expect, it } from 'vitest';
import {
  KafkaClientError,
  KafkaConfigError,
  KafkaConnectionError,
  KafkaProtocolError,
  KafkaRetriesExhaustedError,
  KafkaTimeoutError,
  protocolError,
  throwIfError,
} from './kafka-client-error.js';

describe('client errors', () => {
  it('protocolErrorNamesBrokerApiAndPartition', () => {
    const error = protocolError(ErrorCode.NOT_LEADER_OR_FOLLOWER, { broker: '2 (127.0.0.1:9093)', api: 'Produce', topic: 'orders', partition: 3 });
    expect(error).toBeInstanceOf(KafkaProtocolError);
    expect(error).toBeInstanceOf(KafkaClientError);
    expect(error.message).toMatch(
      /^NOT_LEADER_OR_FOLLOWER from broker 2 \(127\.0\.0\.1:9093\) on Produce for orders-3: For requests intended only for the leader.* \(retriable\)$/,
    );
    expect(error).toMatchObject({ code: 6, errorName: 'NOT_LEADER_OR_FOLLOWER', retriable: true, topic: 'orders', partition: 3, api: 'Produce' });
  });

  it('brokerLabelIsNotDoubled', () => {
    expect(protocolError(7, { broker: 'broker 1 (h:1)' }).message).toMatch(/^REQUEST_TIMED_OUT from broker 1 \(h:1\): /);
  });

  it('serverMessageWinsOverKafkasDefault', () => {
    const error = protocolError(ErrorCode.INVALID_REPLICATION_FACTOR, { api: 'CreateTopics', topic: 't', serverMessage: 'only 3 brokers' });
    expect(error.message).toBe('INVALID_REPLICATION_FACTOR on CreateTopics for t: only 3 brokers (not retriable)');
    expect(error).toMatchObject({ retriable: false, serverMessage: 'only 3 brokers' });
    expect(protocolError(ErrorCode.INVALID_REPLICATION_FACTOR, { serverMessage: null }).message).toContain('Replication factor is below 1');
  });

  it('groupErrorsNameTheGroup', () => {
    expect(protocolError(ErrorCode.COORDINATOR_NOT_AVAILABLE, { api: 'FindCoordinator', groupId: 'g1' }).message).toMatch(
      /^COORDINATOR_NOT_AVAILABLE on FindCoordinator for group g1: .* \(retriable\)$/,
    );
  });

  it('unknownCodeKeepsItsNumber', () => {
    expect(protocolError(999)).toMatchObject({ code: 999, errorName: 'UNKNOWN_SERVER_ERROR', retriable: false });
  });

  it('throwIfErrorIgnoresNone', () => {
    expect(() => throwIfError(0, { topic: 't' })).not.toThrow();
    expect(() => throwIfError(3, { topic: 't', partition: 1 })).toThrow('UNKNOWN_TOPIC_OR_PARTITION for t-1');
  });

  it('clientErrorsSayWhetherARetryHelps', () => {
    expect(new KafkaConnectionError('x').retriable).toBe(true);
    expect(new KafkaConnectionError('x', { retriable: false }).retriable).toBe(false);
    expect(new KafkaTimeoutError('x').retriable).toBe(true);
    const cause = new KafkaTimeoutError('late');
    const exhausted = new KafkaRetriesExhaustedError('gave up', 4, cause);
    expect(exhausted).toMatchObject({ retriable: false, attempts: 4, cause });
  });

  it('configErrorNamesKeyValueAndAllowed', () => {
    const error = new KafkaConfigError('lingerMs', -1, 'an integer >= 0');
    expect(error.message).toBe('bad option lingerMs: -1; allowed: an integer >= 0');
    expect(error).toMatchObject({ key: 'lingerMs', retriable: false, name: 'KafkaConfigError' });
    expect(new KafkaConfigError('acks', '2', '0, 1, -1, "all"').message).toBe('bad option acks: "2"; allowed: 0, 1, -1, "all"');
  });
});
