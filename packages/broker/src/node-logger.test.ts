import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NodeChannel, NodeRequest } from './messages.js';
import { nodeLogger } from './node-logger.js';

function channel(closed = false): { node: NodeChannel; told: NodeRequest[] } {
  const told: NodeRequest[] = [];
  const node = { closed, tell: (msg: NodeRequest) => void told.push(msg) } as unknown as NodeChannel;
  return { node, told };
}

describe('nodeLogger', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('everyEntryNamesItsBroker, the call site need not: fields, partition and errors told to the node as plain data', () => {
    const { node, told } = channel();
    const logger = nodeLogger(3, () => node);
    logger.info('broker 3: shut down');
    logger.error('Background flush failed', { partition: 'orders-0', offset: 7n, error: new Error('EIO') });
    expect(told).toEqual([
      { type: 'Log', level: 'info', msg: 'broker 3: shut down', fields: { broker: 3 } },
      {
        type: 'Log',
        level: 'error',
        msg: 'Background flush failed',
        fields: { broker: 3, partition: 'orders-0', offset: '7', error: expect.objectContaining({ name: 'Error', message: 'EIO' }) },
      },
    ]);
    expect(structuredClone(told)).toEqual(told);
  });

  it('closedChannelWritesToStderr, still naming the broker', () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const { node, told } = channel(true);
    nodeLogger(2, () => node).warn('closing connection', { partition: 'orders-1' });
    expect(told).toEqual([]);
    expect(written).toEqual([expect.stringMatching(/ WARN closing connection \{"broker":2,"partition":"orders-1"\}\n$/)]);
  });
});
