import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ActorError, Mailbox } from './index.js';
import type { ActorMessage, Endpoint, Logger } from './index.js';
import { decodeFrame, encodeFrame } from './codec.js';
import { echoActor } from './echo-actor.test-support.js';
import type { EchoMessage, EchoReplies } from './echo-actor.test-support.js';

interface LogEntry {
  level: string;
  msg: string;
  fields?: object;
}

function memoryLogger(entries: LogEntry[]): Logger {
  return {
    info: (msg, fields) => void entries.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => void entries.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => void entries.push({ level: 'error', msg, fields }),
  };
}

const openPorts: MessagePort[] = [];

afterEach(() => {
  for (const port of openPorts.splice(0)) port.close();
});

/** A client mailbox asking an echo actor across a real MessageChannel. */
function echoPair(options: { defaultTimeoutMs?: number } = {}) {
  const { port1, port2 } = new MessageChannel();
  openPorts.push(port1, port2);
  const serverLog: LogEntry[] = [];
  const sent = { replies: 0 };
  // The echo side's port, counting what it posts, so tests can see every reply.
  const counted: Endpoint = {
    postMessage: (value, transferList) => {
      sent.replies++;
      port2.postMessage(value, transferList);
    },
    on: (event, listener) => port2.on(event, listener),
    off: (event, listener) => port2.off(event, listener),
  };
  const server = new Mailbox<EchoMessage>(counted, { name: 'client', handle: echoActor(), logger: memoryLogger(serverLog) });
  const client = new Mailbox<never, EchoMessage, EchoReplies>(port1, { name: 'echo', ...options });
  return { client, server, serverLog, sent, port1, port2 };
}

async function rejection(promise: Promise<unknown>): Promise<ActorError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ActorError);
  return error as ActorError;
}

describe('Mailbox', () => {
  it('askResolvesWithTheHandlersReturnValueSyncOrAsync', async () => {
    const { client } = echoPair();
    const value = { topic: 'orders', partition: 3, offset: 42n, seen: new Set(['a']) };
    await expect(client.ask({ type: 'Echo', value })).resolves.toStrictEqual(value);
    await expect(client.ask({ type: 'Delay', ms: 5, value: 'later' })).resolves.toBe('later');
    await expect(client.ask({ type: 'Note', text: 'x' })).resolves.toBeUndefined();
  });

  it('repliesFindTheirAsksWhenAnsweredOutOfOrder', async () => {
    const { client } = echoPair();
    const answers = await Promise.all([
      client.ask({ type: 'Delay', ms: 30, value: 'slow' }),
      client.ask({ type: 'Delay', ms: 1, value: 'fast' }),
      client.ask({ type: 'Echo', value: 'now' }),
    ]);
    expect(answers).toEqual(['slow', 'fast', 'now']);
  });

  it('eitherEndCanAskTheOther', async () => {
    type Ping = { readonly type: 'Ping'; readonly from: string };
    const { port1, port2 } = new MessageChannel();
    openPorts.push(port1, port2);
    const controller = new Mailbox<Ping, Ping, { Ping: string }>(port1, { name: 'broker-1', handle: (m) => `controller saw ${m.from}` });
    const broker = new Mailbox<Ping, Ping, { Ping: string }>(port2, { name: 'controller', handle: (m) => `broker saw ${m.from}` });
    await expect(broker.ask({ type: 'Ping', from: 'broker-1' })).resolves.toBe('controller saw broker-1');
    await expect(controller.ask({ type: 'Ping', from: 'controller' })).resolves.toBe('broker saw controller');
  });

  it('tellsArriveInTheOrderSentAndGetNoReply', async () => {
    const { client } = echoPair();
    for (let i = 0; i < 50; i++) client.tell({ type: 'Note', text: String(i) });
    await expect(client.ask({ type: 'Notes' })).resolves.toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });

  it('aHandlerThatThrowsAnswersHandlerErrorWithItsMessage', async () => {
    const { client, serverLog } = echoPair();
    const error = await rejection(client.ask({ type: 'Fail', reason: 'partition orders-3 is not hosted here' }));
    expect(error.code).toBe('HANDLER_ERROR');
    expect(error.actor).toBe('echo');
    expect(error.messageType).toBe('Fail');
    expect(error.message).toBe("actor 'echo' answered 'Fail' with HANDLER_ERROR: partition orders-3 is not hosted here");
    // The stack stays where the handler ran, in its log.
    expect(serverLog).toHaveLength(1);
    expect(serverLog[0]!.level).toBe('error');
    expect(JSON.stringify(serverLog[0]!.fields, (_k, v: unknown) => (v instanceof Error ? v.stack : v))).toContain('echo-actor');
  });

  it('aTypeTheHandlerLacksAnswersUnknownMessage', async () => {
    const { port1 } = echoPair();
    // A peer built from a newer union sends a type this side has no case for.
    const newer = new Mailbox<never, { type: 'Compact'; topic: string }, { Compact: void }>(port1, { name: 'echo' });
    const error = await rejection(newer.ask({ type: 'Compact', topic: 'orders' }));
    expect(error.code).toBe('UNKNOWN_MESSAGE');
    expect(error.message).toContain("no handler for message type 'Compact'");
  });

  it('aMailboxWithoutHandlerAnswersUnknownMessage', async () => {
    const { port1, port2 } = new MessageChannel();
    openPorts.push(port1, port2);
    new Mailbox<never>(port2, { name: 'asker' });
    const asker = new Mailbox<never, EchoMessage, EchoReplies>(port1, { name: 'silent' });
    expect((await rejection(asker.ask({ type: 'Notes' }))).code).toBe('UNKNOWN_MESSAGE');
  });

  it('aTimeoutNamesTheActorAndTheMessageType', async () => {
    const { client } = echoPair();
    const started = performance.now();
    const error = await rejection(client.ask({ type: 'Hang' }, { timeoutMs: 40 }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toBe("actor 'echo' did not answer 'Hang' within 40 ms");
    expect([error.actor, error.messageType]).toEqual(['echo', 'Hang']);
  });

  it('theDefaultTimeoutAppliesToAsksThatNameNone', async () => {
    const { client } = echoPair({ defaultTimeoutMs: 30 });
    expect((await rejection(client.ask({ type: 'Hang' }))).message).toContain('within 30 ms');
  });

  it('aReplyAfterTheTimeoutIsDroppedAndLaterAsksStillWork', async () => {
    const { client } = echoPair();
    expect((await rejection(client.ask({ type: 'Delay', ms: 40, value: 'late' }, { timeoutMs: 10 }))).code).toBe('TIMEOUT');
    await new Promise((r) => setTimeout(r, 50));
    await expect(client.ask({ type: 'Echo', value: 'next' })).resolves.toBe('next');
  });

  it('closeRejectsPendingAsksWithClosedAndRefusesNewOnes', async () => {
    const { client } = echoPair();
    const pending = client.ask({ type: 'Hang' });
    client.close();
    const error = await rejection(pending);
    expect(error.code).toBe('CLOSED');
    expect(error.message).toBe("no answer from actor 'echo' to 'Hang': the mailbox was closed");
    expect((await rejection(client.ask({ type: 'Notes' }))).code).toBe('CLOSED');
    expect(() => client.tell({ type: 'Note', text: 'x' })).toThrow(/cannot tell actor 'echo' 'Note': the mailbox was closed/);
    expect(client.closed).toBe(true);
  });

  it('thePeerClosingItsPortRejectsPendingAsksWithClosed', async () => {
    const { client, port2 } = echoPair();
    const pending = client.ask({ type: 'Hang' });
    await new Promise((r) => setTimeout(r, 5));
    port2.close();
    const error = await rejection(pending);
    expect(error.code).toBe('CLOSED');
    expect(error.message).toContain('the port was closed');
  });

  it('anAskWithoutAStringTypeIsAnsweredMalformed', async () => {
    const { port1, port2 } = new MessageChannel();
    openPorts.push(port1, port2);
    new Mailbox<EchoMessage>(port2, { name: 'raw', handle: echoActor() });
    const reply = new Promise<unknown>((resolve) => port1.once('message', resolve));
    const frame = encodeFrame([0, 7, { kind: 'Echo' }]);
    port1.postMessage(frame.data, frame.transferList);
    expect(decodeFrame(await reply)).toEqual([2, 7, { ok: false, error: { code: 'MALFORMED', message: 'ask whose message has no string type' } }]);
  });

  it('anUnreadableFrameIsLoggedAndDropped', async () => {
    const { port1, port2 } = new MessageChannel();
    openPorts.push(port1, port2);
    const log: LogEntry[] = [];
    const server = new Mailbox<EchoMessage>(port2, { name: 'raw', handle: echoActor(), logger: memoryLogger(log) });
    port1.postMessage('not a frame');
    const client = new Mailbox<never, EchoMessage, EchoReplies>(port1, { name: 'echo' });
    await expect(client.ask({ type: 'Echo', value: 1 })).resolves.toBe(1);
    expect(log.map((e) => e.msg)).toEqual(["dropped an unreadable frame from actor 'raw'"]);
    expect(server.closed).toBe(false);
  });

  it('aMessageThatCannotBeEncodedRejectsMalformedWithoutSending', async () => {
    const { client } = echoPair();
    const error = await rejection(client.ask({ type: 'Echo', value: Symbol('local only') }));
    expect(error.code).toBe('MALFORMED');
    expect(error.message).toMatch(/^'Echo' to actor 'echo' could not be sent: /);
    expect(() => client.tell({ type: 'Echo', value: Symbol('x') })).toThrow(ActorError);
    await expect(client.ask({ type: 'Echo', value: 'still open' })).resolves.toBe('still open');
  });

  it('aReplyThatCannotBeEncodedStillAnswersOnceWithHandlerError', async () => {
    const { port1, port2 } = new MessageChannel();
    openPorts.push(port1, port2);
    const log: LogEntry[] = [];
    new Mailbox<ActorMessage>(port2, { name: 'client', handle: () => Symbol('no wire form'), logger: memoryLogger(log) });
    const client = new Mailbox<never, { type: 'Get' }, { Get: unknown }>(port1, { name: 'odd' });
    const error = await rejection(client.ask({ type: 'Get' }));
    expect(error.code).toBe('HANDLER_ERROR');
    expect(error.message).toContain('the reply could not be sent');
    expect(log).toHaveLength(1);
  });

  it('askWithTransferMovesTheBufferToThePeer', async () => {
    const { client } = echoPair();
    const bytes = new Uint8Array([1, 2, 3, 4]);
    await expect(client.ask({ type: 'Sum', bytes }, { transfer: [bytes.buffer as ArrayBuffer] })).resolves.toBe(10);
    expect(bytes.byteLength).toBe(0);
  });

  it('replyWithTransferMovesTheRepliedBuffer', async () => {
    const { client } = echoPair();
    const filled = await client.ask({ type: 'Fill', size: 1 << 20, byte: 9 });
    expect(Buffer.isBuffer(filled)).toBe(true);
    expect(filled.byteLength).toBe(1 << 20);
    expect(filled.buffer.byteLength).toBe(1 << 20);
    expect(filled[filled.length - 1]).toBe(9);
  });

  it('rejectsATimeoutNodeCannotSchedule', async () => {
    const { port1 } = echoPair();
    expect(() => new Mailbox(port1, { name: 'x', defaultTimeoutMs: 0 })).toThrow(RangeError);
    const { client } = echoPair();
    await expect(client.ask({ type: 'Notes' }, { timeoutMs: 2 ** 31 })).rejects.toThrow(/timeoutMs of 'Notes' to actor 'echo'/);
  });

  it('everyAnsweredAskGetsExactlyOneReplyWithItsOwnOutcome', async () => {
    type Outcome = { type: 'Echo'; value: number } | { type: 'Fail'; reason: string } | { type: 'Delay'; ms: number; value: number } | { type: 'Hang' };
    const outcome: fc.Arbitrary<Outcome> = fc.oneof(
      fc.record({ type: fc.constant('Echo' as const), value: fc.integer() }),
      fc.record({ type: fc.constant('Fail' as const), reason: fc.string({ minLength: 1 }) }),
      fc.record({ type: fc.constant('Delay' as const), ms: fc.integer({ min: 0, max: 5 }), value: fc.integer() }),
      fc.constant({ type: 'Hang' as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(outcome, { minLength: 1, maxLength: 25 }), async (messages) => {
        const { client, sent } = echoPair();
        // Only the asks nobody answers time out; the others have room for a loaded machine.
        const settled = await Promise.allSettled(messages.map((m) => client.ask(m, { timeoutMs: m.type === 'Hang' ? 20 : 10_000 })));
        expect(sent.replies).toBe(messages.filter((m) => m.type !== 'Hang').length);
        settled.forEach((result, i) => {
          const m = messages[i]!;
          if (m.type === 'Echo' || m.type === 'Delay') expect(result).toEqual({ status: 'fulfilled', value: m.value });
          else {
            expect(result.status).toBe('rejected');
            const error = (result as PromiseRejectedResult).reason as ActorError;
            expect(error.code).toBe(m.type === 'Fail' ? 'HANDLER_ERROR' : 'TIMEOUT');
            if (m.type === 'Fail') expect(error.message.endsWith(`: ${m.reason}`)).toBe(true);
          }
        });
        client.close();
      }),
      { numRuns: 25 },
    );
  });
});
