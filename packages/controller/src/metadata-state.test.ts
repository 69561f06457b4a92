import { describe, expect, it } from 'vitest';
import { MetadataState } from './metadata-state.js';

describe('MetadataState', () => {
  it('registerThenFence: a fence marks the registered incarnation dead', () => {
    const state = new MetadataState();
    state.apply({ type: 'ClusterId', clusterId: 'c' });
    state.apply({ type: 'RegisterBroker', brokerId: 1, brokerEpoch: 1, host: 'h', port: 1 });
    state.apply({ type: 'FenceBroker', brokerId: 1, brokerEpoch: 1, reason: 'r' });
    expect(state.clusterId).toBe('c');
    expect(state.broker(1)).toEqual({ brokerId: 1, brokerEpoch: 1, host: 'h', port: 1, fenced: true });
  });

  it('staleFence: a fence for an older epoch leaves the newer registration alive', () => {
    const state = new MetadataState();
    state.apply({ type: 'RegisterBroker', brokerId: 1, brokerEpoch: 1, host: 'h', port: 1 });
    state.apply({ type: 'RegisterBroker', brokerId: 1, brokerEpoch: 5, host: 'h', port: 2 });
    state.apply({ type: 'FenceBroker', brokerId: 1, brokerEpoch: 1, reason: 'r' });
    expect(state.broker(1)).toMatchObject({ brokerEpoch: 5, port: 2, fenced: false });
  });

  it('reregisterUnfences: registering again after a fence makes the broker alive', () => {
    const state = new MetadataState();
    state.apply({ type: 'RegisterBroker', brokerId: 2, brokerEpoch: 1, host: 'h', port: 1 });
    state.apply({ type: 'FenceBroker', brokerId: 2, brokerEpoch: 1, reason: 'r' });
    state.apply({ type: 'RegisterBroker', brokerId: 2, brokerEpoch: 3, host: 'h', port: 1 });
    expect(state.broker(2)?.fenced).toBe(false);
  });
});
