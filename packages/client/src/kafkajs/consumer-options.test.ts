import { describe, expect, it } from 'vitest';
import { clientConsumerOptions } from './consumer-options.js';

const client = { bootstrap: '127.0.0.1:1' };
const listener = {};

describe('kafkajs consumer options', () => {
  it('readUncommittedDefaultsToFalse: the consumer reads committed records only, as kafkajs does', () => {
    const options = (config: { readUncommitted?: boolean }) => clientConsumerOptions(client, { groupId: 'g', ...config }, [{ fromBeginning: true }], listener);
    expect(options({}).isolationLevel).toBe('read_committed');
    expect(options({ readUncommitted: false }).isolationLevel).toBe('read_committed');
    expect(options({ readUncommitted: true }).isolationLevel).toBe('read_uncommitted');
  });
});
