import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { CuttableEndpoint } from './cuttable-endpoint.js';
import { echoActor } from './echo-actor.test-support.js';
import type { EchoMessage, EchoReplies } from './echo-actor.test-support.js';
import { ActorError, Mailbox } from './index.js';

const openPorts: MessagePort[] = [];

afterEach(() => {
  for (const port of openPorts.splice(0)) port.close();
});

/** A client asking an echo actor whose end of the channel is cuttable. */
function cuttablePair() {
  const { port1, port2 } = new MessageChannel();
  openPorts.push(port1, port2);
  const link = new CuttableEndpoint(port2);
  const server = new Mailbox<EchoMessage>(link, { name: 'client', handle: echoActor() });
  const client = new Mailbox<never, EchoMessage, EchoReplies>(port1, { name: 'echo' });
  return { client, server, link };
}

describe('CuttableEndpoint', () => {
  it('passesEverythingThroughUntilCut', async () => {
    const { client, link } = cuttablePair();
    expect(link.isCut).toBe(false);
    await expect(client.ask({ type: 'Echo', value: 'hello' }, { timeoutMs: 1_000 })).resolves.toBe('hello');
  });

  it('anAskAcrossACutTimesOut', async () => {
    const { client, link } = cuttablePair();
    link.cut();
    const error = await client.ask({ type: 'Echo', value: 'lost' }, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActorError);
    expect((error as ActorError).code).toBe('TIMEOUT');
  });

  it('repliesSentIntoACutAreDropped', async () => {
    const { client, link } = cuttablePair();
    const answered = client.ask({ type: 'Delay', ms: 50, value: 'late' }, { timeoutMs: 300 });
    // The ask got through; its reply is posted while the link is cut.
    await new Promise((resolve) => setTimeout(resolve, 10));
    link.cut();
    await expect(answered).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('whatWasDroppedIsNotDeliveredAfterHeal', async () => {
    const { client, link } = cuttablePair();
    link.cut();
    client.tell({ type: 'Note', text: 'sent while cut' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    link.heal();
    client.tell({ type: 'Note', text: 'sent after heal' });
    await expect(client.ask({ type: 'Notes' }, { timeoutMs: 1_000 })).resolves.toEqual(['sent after heal']);
  });

  it('closeStillReachesTheMailboxWhileCut', async () => {
    const { server, link } = cuttablePair();
    link.cut();
    openPorts[0]!.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.closed).toBe(true);
  });
});
