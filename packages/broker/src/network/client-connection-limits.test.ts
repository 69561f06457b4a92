import { decodeResponse, Produce } from '@kstream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiHandler } from '../handlers/handler.js';
import { HandlerRegistry } from '../handlers/registry.js';
import { produceAnswer } from './produce-answer.test-support.js';
import { RawClient } from './raw-client.test-support.js';
import { startTestListener } from './test-listener.test-support.js';
import type { TestListener, TestListenerOptions } from './test-listener.test-support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Produce answering at once with the size of the records it got, so a test sees a large request arrived whole. */
const sizeEcho: ApiHandler<typeof Produce> = {
  api: Produce,
  async handle(request) {
    const [topic] = request.topicData;
    return produceAnswer(
      topic!.name,
      topic!.partitionData.map(({ records }) => ({ index: records?.length ?? 0 })),
    );
  },
};

let listener: TestListener | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await listener?.close();
  listener = undefined;
});

async function serve(options: TestListenerOptions) {
  listener = await startTestListener(new HandlerRegistry([sizeEcho]), options);
  return listener;
}

async function client(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  clients.push(c);
  return c;
}

/** A Produce request frame whose records are `bytes` long. */
function produceOf(c: RawClient, bytes: number) {
  return c.frame(Produce, 7, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 0,
    topicData: [{ name: 'large', partitionData: [{ index: 0, records: Buffer.alloc(bytes, 1) }] }],
  });
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

describe('ClientConnection limits', () => {
  it('halfSentRequestsWaitForRequestMemory: reserved bytes stay within queued.max.request.bytes, waiting connections resume as it frees, and all of it returns when clients leave', async () => {
    const frameBytes = 512 * 1024;
    // Room for two of the requests (each a little over frameBytes with its headers), not three.
    const budget = 2 * frameBytes + 1024;
    const { port, requestMemory } = await serve({ maxRequestBytes: 4 * frameBytes, queuedMaxRequestBytes: budget });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, requestMemory.reservedBytes)), 1);
    const halfSenders = await Promise.all(Array.from({ length: 10 }, () => client(port)));
    const frames = halfSenders.map((c) => produceOf(c, frameBytes).frame);
    halfSenders.forEach((c, i) => {
      c.write(frames[i]!.subarray(0, frames[i]!.length / 2));
    });
    await until(() => requestMemory.waitingCount === 8, 'eight connections wait for memory');
    await sleep(50);
    expect(requestMemory.waitingCount).toBe(8);
    expect(requestMemory.reservedBytes).toBeLessThanOrEqual(budget);

    // Each request finishing frees its reservation, and the oldest waiting connections are granted and read on.
    for (let i = 0; i < halfSenders.length; i++) halfSenders[i]!.write(frames[i]!.subarray(frames[i]!.length / 2));
    for (const c of halfSenders) await c.waitForFrames(1);
    for (const [i, c] of halfSenders.entries()) {
      const answer = decodeResponse(Produce, 7, c.frames[0]!).body;
      expect(answer.responses[0]!.partitionResponses[0]!.index, `client ${i}`).toBe(frameBytes);
    }
    clearInterval(sampler);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(budget);
    expect(requestMemory.reservedBytes).toBe(0);
    expect(requestMemory.waitingCount).toBe(0);
  });

  it('stalledHalfRequestsAreClosedAndALegitimateOneCompletes: clients that leave or stall return their memory, and a whole request waiting behind them is served', async () => {
    const frameBytes = 512 * 1024;
    const { port, requestMemory, logger } = await serve({
      maxRequestBytes: 4 * frameBytes,
      queuedMaxRequestBytes: frameBytes,
      // The holder's arrival clock runs from its grant: the setup below (four more connections) must fit in it, which
      // 200 ms did not on a loaded machine.
      arrivalTimeoutMs: 1_000,
    });
    const stalled = await Promise.all(Array.from({ length: 4 }, () => client(port)));
    const stalledPorts = stalled.map((c) => c.socket.localPort!);
    for (const c of stalled) {
      const { frame } = produceOf(c, frameBytes);
      c.write(frame.subarray(0, frame.length / 2));
    }
    await until(() => requestMemory.waitingCount === 3, 'three connections wait for memory');
    const legit = await client(port);
    const legitPort = legit.socket.localPort!;
    const request = produceOf(legit, 2 * frameBytes);
    legit.write(request.frame);
    await until(() => requestMemory.waitingCount === 4, 'the whole request waits behind them');
    // One stalled client leaves; the others are closed by request.arrival.timeout.ms once they have memory.
    stalled[0]!.close();
    const [answer] = await legit.waitForFrames(1, 10_000);
    expect(decodeResponse(Produce, 7, answer!).body.responses[0]!.partitionResponses[0]!.index).toBe(2 * frameBytes);
    await Promise.all(stalled.slice(1).map((c) => c.closed));
    const timedOut = logger.lines.filter((l) => l.includes('(request.arrival.timeout.ms)'));
    const names = (port: number) => (line: string) => line.includes(`closing connection 127.0.0.1:${port}:`);
    for (const port of stalledPorts.slice(1)) expect(timedOut.filter(names(port))).toHaveLength(1);
    expect(logger.lines.filter(names(legitPort))).toEqual([]);
    await until(() => requestMemory.reservedBytes === 0, 'every reservation is returned');
    expect(requestMemory.waitingCount).toBe(0);
  });

  it('byteDrippingClientIsClosed: a request arriving a byte every 10 ms is closed after request.arrival.timeout.ms though never idle', async () => {
    // The idle timeout is below the arrival one, so only the drip's bytes keep the connection from idling: a byte every
    // 10 ms against 400 ms of idle leaves room for the machine holding the drip's timer (200 ms of idle did not).
    const arrivalTimeoutMs = 1_200;
    const { port, logger, requestMemory } = await serve({ arrivalTimeoutMs, idleTimeoutMs: 400, queuedMaxRequestBytes: 1024 * 1024 });
    const dripper = await client(port);
    const { frame } = produceOf(dripper, 1000);
    const started = Date.now();
    let sent = 0;
    const drip = setInterval(() => {
      if (sent < frame.length && !dripper.isClosed) dripper.socket.write(frame.subarray(sent, ++sent));
    }, 10);
    try {
      await dripper.closed;
    } finally {
      clearInterval(drip);
    }
    const closedAfter = Date.now() - started;
    expect(closedAfter).toBeGreaterThanOrEqual(arrivalTimeoutMs - 20);
    expect(closedAfter).toBeLessThan(arrivalTimeoutMs + 1_500);
    expect(logger.lines.some((l) => l.includes('idle'))).toBe(false);
    expect(logger.lines).toContainEqual(
      expect.stringMatching(new RegExp(`a request has been arriving for more than ${arrivalTimeoutMs} ms \\(request.arrival.timeout.ms\\): \\d+ of ${frame.length} bytes arrived`)),
    );
    expect(requestMemory.reservedBytes).toBe(0);
  });
});
