import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { replyWithTransfer } from '@kstream/actor';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '../network/test-listener.test-support.js';
import { NoPeerChannelError, PeerLinks } from './peer-links.js';

type TestMessage = { readonly type: 'Echo'; readonly value: string } | { readonly type: 'Sum'; readonly bytes: Uint8Array } | { readonly type: 'Fill'; readonly size: number };

interface TestReplies {
  Echo: string;
  Sum: number;
  Fill: Uint8Array;
}

const linksToClose: PeerLinks<TestMessage, TestReplies>[] = [];

afterEach(() => {
  for (const links of linksToClose.splice(0)) links.close();
});

function brokerLinks(brokerId: number): PeerLinks<TestMessage, TestReplies> & { readonly lines: string[] } {
  const logger = recordingLogger();
  const links = new PeerLinks<TestMessage, TestReplies>(brokerId, logger);
  links.setHandler((msg, fromBroker) => {
    switch (msg.type) {
      case 'Echo':
        return `${msg.value} (broker ${brokerId} answering broker ${fromBroker})`;
      case 'Sum':
        return msg.bytes.reduce((sum, b) => sum + b, 0);
      case 'Fill': {
        const bytes = new Uint8Array(msg.size).fill(7);
        return replyWithTransfer(bytes, [bytes.buffer]);
      }
    }
  });
  linksToClose.push(links);
  return Object.assign(links, { lines: logger.lines });
}

/** What the node does for a pair: one channel, an end to each. */
function pair(a: PeerLinks<TestMessage, TestReplies>, aId: number, b: PeerLinks<TestMessage, TestReplies>, bId: number): { port1: MessagePort; port2: MessagePort } {
  const channel = new MessageChannel();
  a.attach(bId, channel.port1);
  b.attach(aId, channel.port2);
  return channel;
}

describe('PeerLinks', () => {
  it('askIsAnsweredByThePeersHandlerNamingTheAsker', async () => {
    const one = brokerLinks(1);
    const two = brokerLinks(2);
    pair(one, 1, two, 2);
    await expect(one.ask(2, { type: 'Echo', value: 'hi' }, { timeoutMs: 1_000 })).resolves.toBe('hi (broker 2 answering broker 1)');
    await expect(two.ask(1, { type: 'Echo', value: 'back' }, { timeoutMs: 1_000 })).resolves.toBe('back (broker 1 answering broker 2)');
    expect(one.peerIds).toEqual([2]);
  });

  it('askWithoutAChannelRejectsAtOnceNamingThePeer', async () => {
    const one = brokerLinks(1);
    const started = performance.now();
    const error = await one.ask(3, { type: 'Echo', value: 'x' }, { timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(100);
    expect(error).toBeInstanceOf(NoPeerChannelError);
    expect(error).toMatchObject({ brokerId: 1, peerId: 3, messageType: 'Echo' });
    expect((error as Error).message).toMatch(/broker 1 has no channel to broker 3 for 'Echo'/);
  });

  it('replacingAChannelClosesTheOldOneAndTellsListeners', async () => {
    const one = brokerLinks(1);
    const two = brokerLinks(2);
    const changes: Array<[number, boolean]> = [];
    one.onPeerChanged((peerId, connected) => changes.push([peerId, connected]));
    const old = pair(one, 1, two, 2);
    const oldClosed = new Promise<void>((resolve) => old.port2.once('close', () => resolve()));
    // Broker 2's new incarnation: a fresh channel, handed to both.
    const twoAgain = brokerLinks(2);
    pair(one, 1, twoAgain, 2);
    await oldClosed;
    expect(changes).toEqual([
      [2, true],
      [2, false],
      [2, true],
    ]);
    await expect(one.ask(2, { type: 'Echo', value: 'new' }, { timeoutMs: 1_000 })).resolves.toBe('new (broker 2 answering broker 1)');
  });

  it('aPeerWhoseEndClosesIsDroppedAndLaterAsksRejectAtOnce', async () => {
    const one = brokerLinks(1);
    const two = brokerLinks(2);
    const changes: Array<[number, boolean]> = [];
    one.onPeerChanged((peerId, connected) => changes.push([peerId, connected]));
    pair(one, 1, two, 2);
    // As when broker 2's worker ends: its end of the channel closes.
    two.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(one.has(2)).toBe(false);
    expect(changes).toEqual([
      [2, true],
      [2, false],
    ]);
    await expect(one.ask(2, { type: 'Echo', value: 'gone' }, { timeoutMs: 1_000 })).rejects.toBeInstanceOf(NoPeerChannelError);
  });

  it('transferMovesTheBufferBothWays', async () => {
    const one = brokerLinks(1);
    const two = brokerLinks(2);
    pair(one, 1, two, 2);
    const bytes = new Uint8Array([1, 2, 3, 4]);
    await expect(one.ask(2, { type: 'Sum', bytes }, { timeoutMs: 1_000, transfer: [bytes.buffer] })).resolves.toBe(10);
    expect(bytes.byteLength).toBe(0);
    const filled = await one.ask(2, { type: 'Fill', size: 1 << 16 }, { timeoutMs: 1_000 });
    expect(filled.byteLength).toBe(1 << 16);
    expect(filled[0]).toBe(7);
  });

  it('aCutLinkTimesOutBothWaysAndWorksAfterHeal', async () => {
    const one = brokerLinks(1);
    const two = brokerLinks(2);
    pair(one, 1, two, 2);
    one.setCut(2, true);
    expect(one.cutPeerIds).toEqual([2]);
    await expect(one.ask(2, { type: 'Echo', value: 'out' }, { timeoutMs: 100 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(two.ask(1, { type: 'Echo', value: 'in' }, { timeoutMs: 100 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    one.setCut(2, false);
    await expect(one.ask(2, { type: 'Echo', value: 'healed' }, { timeoutMs: 1_000 })).resolves.toBe('healed (broker 2 answering broker 1)');
  });

  it('aHealFailsTheAsksTheCutDroppedAndTellsListeners', async () => {
    const one = brokerLinks(1);
    const two = brokerLinks(2);
    pair(one, 1, two, 2);
    const heard: Array<[number, boolean]> = [];
    one.onPeerChanged((peerId, connected) => heard.push([peerId, connected]));
    one.setCut(2, true);
    two.setCut(1, true);
    const lost = one.ask(2, { type: 'Echo', value: 'dropped by the cut' }, { timeoutMs: 30_000 });
    two.setCut(1, false);
    one.setCut(2, false);
    await expect(lost).rejects.toMatchObject({ code: 'CLOSED' });
    expect(heard).toEqual([[2, true]]);
    await expect(one.ask(2, { type: 'Echo', value: 'healed' }, { timeoutMs: 1_000 })).resolves.toBe('healed (broker 2 answering broker 1)');
    await expect(two.ask(1, { type: 'Echo', value: 'healed' }, { timeoutMs: 1_000 })).resolves.toBe('healed (broker 1 answering broker 2)');
  });

  it('aCutOutlivesTheChannelItWasSetOn', async () => {
    const one = brokerLinks(1);
    one.setCut(2, true);
    pair(one, 1, brokerLinks(2), 2);
    await expect(one.ask(2, { type: 'Echo', value: 'still cut' }, { timeoutMs: 100 })).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('pingIsAnsweredWithoutTheHandler', async () => {
    const one = brokerLinks(1);
    const two = new PeerLinks<TestMessage, TestReplies>(2, recordingLogger());
    linksToClose.push(two);
    pair(one, 1, two, 2);
    await expect(one.ping(2, 1_000)).resolves.toBeGreaterThanOrEqual(0);
  });

  it('anAskBeforeThePeerHasAHandlerWaitsForIt', async () => {
    const one = brokerLinks(1);
    const logger = recordingLogger();
    const two = new PeerLinks<TestMessage, TestReplies>(2, logger);
    linksToClose.push(two);
    pair(one, 1, two, 2);
    const early = one.ask(2, { type: 'Echo', value: 'early' }, { timeoutMs: 1_000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    two.setHandler((msg) => `${(msg as { value: string }).value}, served once broker 2 started`);
    await expect(early).resolves.toBe('early, served once broker 2 started');
    expect(logger.lines).toEqual([]);
  });

  it('closeRejectsPendingAsksAndClosesChannelsHandedOverLater', async () => {
    const one = brokerLinks(1);
    const two = new PeerLinks<TestMessage, TestReplies>(2, recordingLogger());
    linksToClose.push(two);
    two.setHandler(() => new Promise(() => {}));
    pair(one, 1, two, 2);
    const pending = one.ask(2, { type: 'Echo', value: 'never answered' }, { timeoutMs: 5_000 });
    one.close();
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED' });
    const late = new MessageChannel();
    const lateClosed = new Promise<void>((resolve) => late.port2.once('close', () => resolve()));
    one.attach(3, late.port1);
    await lateClosed;
    expect(one.has(3)).toBe(false);
  });

  it('channelsFollowAnyOrderOfHandOversAndPeerExits', async () => {
    const peer = fc.integer({ min: 2, max: 4 });
    const op = fc.oneof(fc.record({ kind: fc.constant('handOver' as const), peer }), fc.record({ kind: fc.constant('peerExits' as const), peer }));
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 12 }), async (ops) => {
        const links = new PeerLinks<TestMessage, TestReplies>(1, recordingLogger());
        const lastHeard = new Map<number, boolean>();
        links.onPeerChanged((peerId, connected) => lastHeard.set(peerId, connected));
        const ends = new Map<number, { local: MessagePort; remote: MessagePort }>();
        const model = new Set<number>();
        try {
          for (const { kind, peer: peerId } of ops) {
            const current = ends.get(peerId);
            if (kind === 'handOver') {
              const channel = new MessageChannel();
              ends.set(peerId, { local: channel.port1, remote: channel.port2 });
              links.attach(peerId, channel.port1);
              model.add(peerId);
            } else if (current !== undefined) {
              // The close reaches the local end on a later turn; PeerLinks' listener runs before this one.
              const heard = new Promise((resolve) => current.local.once('close', resolve));
              current.remote.close();
              await heard;
              ends.delete(peerId);
              model.delete(peerId);
            }
            expect(links.peerIds).toEqual([...model].sort((a, b) => a - b));
            for (const p of [2, 3, 4]) expect(lastHeard.get(p) ?? false).toBe(model.has(p));
          }
        } finally {
          links.close();
          for (const { remote } of ends.values()) remote.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
