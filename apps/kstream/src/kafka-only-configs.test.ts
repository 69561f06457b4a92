import { BROKER_CONFIGS } from '@kstream/metadata';
import { describe, expect, it } from 'vitest';
import { describeKafkaOnly, KAFKA_ONLY_CONFIGS } from './kafka-only-configs.js';

describe('KAFKA_ONLY_CONFIGS', () => {
  // A config kstream learns to apply must leave the list, or a file setting it would be ignored.
  it('noKstreamConfigIsIgnored', () => {
    expect([...KAFKA_ONLY_CONFIGS.keys()].filter((key) => BROKER_CONFIGS.has(key))).toEqual([]);
  });

  it('describeKafkaOnly groups the keys by reason, in one line', () => {
    expect(describeKafkaOnly(new Set(['num.io.threads', 'node.id', 'process.roles']))).toBe(
      'process.roles, node.id (kstream runs its own controller and numbers its brokers 1..N); ' + 'num.io.threads (each broker is one event loop, with a pool sized to the cores)',
    );
  });
});
