import { MessageChannel } from 'node:worker_threads';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Mailbox } from '@kstream/actor';
import type { Logger } from '@kstream/actor';
import type { AllocateProducerIdsReply, AllocateProducerIdsRequest, ControllerRequest, ControllerToBroker } from '@kstream/metadata';
import { ErrorCode } from '@kstream/protocol';
import { PartitionError } from '@kstream/replication';
import type { ControllerChannel } from '../messages.js';
import { ProducerIdManager } from './producer-id-manager.js';
import type { ProducerIdManagerOptions } from './producer-id-manager.js';

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const channels: MessageChannel[] = [];
const managers: ProducerIdManager[] = [];
afterEach(() => {
  for (const manager of managers.splice(0)) manager.close();
  for (const channel of channels.splice(0)) channel.port1.close();
});

type Answer = (request: AllocateProducerIdsRequest) => AllocateProducerIdsReply | Promise<AllocateProducerIdsReply>;

/** A controller across a real channel that answers each AllocateProducerIds as scripted, consecutive blocks of `blockSize` unless told otherwise. */
class ScriptedController {
  readonly requests: AllocateProducerIdsRequest[] = [];
  readonly channel: ControllerChannel;
  #next = 0n;
  readonly #script: Answer[] = [];

  constructor(readonly blockSize = 10) {
    const channel = new MessageChannel();
    channels.push(channel);
    this.channel = new Mailbox(channel.port1, { name: 'controller', logger: quiet });
    new Mailbox<ControllerRequest, ControllerToBroker>(channel.port2, {
      name: 'broker-1',
      logger: quiet,
      handle: (msg) => {
        if (msg.type !== 'AllocateProducerIds') throw new Error(`unexpected ${msg.type}`);
        this.requests.push(msg);
        return (this.#script.shift() ?? (() => this.block()))(msg);
      },
    });
  }

  /** The answer to the next request that is not the usual next block. */
  andThen(answer: Answer): this {
    this.#script.push(answer);
    return this;
  }

  /** Every id below this went out in a block. */
  get granted(): bigint {
    return this.#next;
  }

  block(): AllocateProducerIdsReply {
    const producerIdStart = this.#next;
    this.#next += BigInt(this.blockSize);
    return { errorCode: ErrorCode.NONE, errorMessage: null, producerIdStart, producerIdLen: this.blockSize };
  }

  /** The next block, once `release` is called. */
  held(): { answer: Answer; release: () => void } {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    return { answer: () => released.then(() => this.block()), release };
  }
}

function managerFor(controller: ScriptedController, options: Partial<ProducerIdManagerOptions> = {}): ProducerIdManager {
  const manager = new ProducerIdManager({ brokerId: 1, brokerEpoch: () => 7, controller: controller.channel, logger: quiet, ...options });
  managers.push(manager);
  return manager;
}

async function generateMany(manager: ProducerIdManager, count: number): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (let i = 0; i < count; i++) ids.push(await manager.generate());
  return ids;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => BigInt(from + i));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds: a request crosses the channel in its own time. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 3_000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not reached within 3 s');
    await sleep(2);
  }
}

async function rejection(promise: Promise<unknown>): Promise<PartitionError> {
  const error = await promise.then(
    () => expect.unreachable('generate() resolved'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PartitionError);
  expect((error as PartitionError).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  return error as PartitionError;
}

describe('ProducerIdManager', () => {
  it('idsInOrderAcrossBlocks: every id of each block once, in order, each block asked for with the broker id and current epoch', async () => {
    const controller = new ScriptedController(10);
    let epoch = 7;
    const manager = managerFor(controller, { brokerEpoch: () => epoch });
    expect(await generateMany(manager, 15)).toEqual(range(0, 15));
    epoch = 9;
    expect(await generateMany(manager, 20)).toEqual(range(15, 35));
    expect(controller.requests.map((r) => r.brokerEpoch)).toEqual([7, 7, 9, 9]);
    expect(controller.requests.every((r) => r.brokerId === 1)).toBe(true);
  });

  it('prefetchAt90Percent: the next block is asked for once 9 of 10 ids are out, and is ready when the block runs out', async () => {
    const controller = new ScriptedController(10);
    const manager = managerFor(controller);
    await generateMany(manager, 8);
    await sleep(20);
    expect(controller.requests).toHaveLength(1);
    await manager.generate();
    await until(() => controller.requests.length === 2);
    // The rest of the block, then the prefetched one, with no request in between.
    expect(await generateMany(manager, 3)).toEqual([9n, 10n, 11n]);
    expect(controller.requests).toHaveLength(2);
  });

  it('concurrentCallsShareOneRequest: callers waiting for a block share the request in flight, and more callers than a block holds get the next one', async () => {
    const controller = new ScriptedController(10);
    const first = controller.held();
    controller.andThen(first.answer);
    const manager = managerFor(controller);
    const calls = Array.from({ length: 25 }, () => manager.generate());
    await until(() => controller.requests.length > 0);
    await sleep(20);
    expect(controller.requests).toHaveLength(1);
    first.release();
    const ids = await Promise.all(calls);
    expect(ids).toEqual(range(0, 25));
    expect(controller.requests).toHaveLength(3);
  });

  it('failureThenRetry: a refused request rejects the waiting call; the next call within the backoff does not ask, the one after asks again', async () => {
    const controller = new ScriptedController(10).andThen(() => ({
      errorCode: ErrorCode.STALE_BROKER_EPOCH,
      errorMessage: 'AllocateProducerIds from broker 1: broker epoch 7 is not the registered epoch 8',
      producerIdStart: -1n,
      producerIdLen: 0,
    }));
    const manager = managerFor(controller, { retryBackoffMs: 200 });
    const refused = await rejection(manager.generate());
    expect(refused.message).toBe(
      'broker 1 has no producer id to hand out: the controller refused AllocateProducerIds (broker epoch 7) with STALE_BROKER_EPOCH: ' +
        'AllocateProducerIds from broker 1: broker epoch 7 is not the registered epoch 8',
    );
    await rejection(manager.generate());
    expect(controller.requests).toHaveLength(1);
    await sleep(220);
    expect(await manager.generate()).toBe(0n);
    expect(controller.requests).toHaveLength(2);
  });

  it('controllerFailure: a request that fails on the channel is retried like a refusal', async () => {
    const controller = new ScriptedController(10).andThen(() => {
      throw new Error('controller busy');
    });
    const manager = managerFor(controller, { retryBackoffMs: 10 });
    expect((await rejection(manager.generate())).message).toContain('controller busy');
    await sleep(20);
    expect(await manager.generate()).toBe(0n);
  });

  it('boundedWait: with no block within maxWaitMs the call rejects, and the block, once in, serves the next call without another request', async () => {
    const controller = new ScriptedController(10);
    const slow = controller.held();
    controller.andThen(slow.answer);
    const manager = managerFor(controller, { maxWaitMs: 30 });
    expect((await rejection(manager.generate())).message).toBe('broker 1 has no producer id to hand out: the next block is still on its way from the controller');
    slow.release();
    await sleep(20);
    expect(await manager.generate()).toBe(0n);
    expect(controller.requests).toHaveLength(1);
  });

  it('blockNotAfterCurrent: a block overlapping the one in use is refused, so no id is handed out twice', async () => {
    const controller = new ScriptedController(10);
    controller.andThen(() => controller.block()).andThen(() => ({ errorCode: ErrorCode.NONE, errorMessage: null, producerIdStart: 5n, producerIdLen: 10 }));
    const manager = managerFor(controller, { retryBackoffMs: 200 });
    expect(await generateMany(manager, 10)).toEqual(range(0, 10));
    await until(() => controller.requests.length === 2);
    const refused = await rejection(manager.generate());
    expect(refused.message).toContain("the controller's block of 10 ids from 5 is not a valid range after the current block's end 10");
    await sleep(220);
    expect(await manager.generate()).toBe(10n);
  });

  it('notRegistered: before the broker has an epoch nothing is asked', async () => {
    const controller = new ScriptedController(10);
    const manager = managerFor(controller, { brokerEpoch: () => -1 });
    expect((await rejection(manager.generate())).message).toBe('broker 1 has no producer id to hand out: broker 1 has not registered with the controller yet');
    expect(controller.requests).toHaveLength(0);
  });

  it('close: a waiting call and later calls reject at once, and a block arriving after is not used', async () => {
    const controller = new ScriptedController(10);
    const held = controller.held();
    controller.andThen(held.answer);
    const manager = managerFor(controller, { maxWaitMs: 10_000 });
    const waiting = manager.generate();
    await sleep(20);
    const started = performance.now();
    manager.close();
    expect((await rejection(waiting)).message).toBe('broker 1 has no producer id to hand out: it is shutting down');
    expect(performance.now() - started).toBeLessThan(1_000);
    held.release();
    await sleep(20);
    await rejection(manager.generate());
  });
});

type Step =
  | { readonly kind: 'burst'; readonly calls: number }
  | { readonly kind: 'refuseNext' }
  | { readonly kind: 'slowNext'; readonly ms: number }
  | { readonly kind: 'wait'; readonly ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('burst' as const), calls: fc.integer({ min: 1, max: 25 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('refuseNext' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('slowNext' as const), ms: fc.integer({ min: 0, max: 20 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 10 }) }), weight: 1 },
);

describe('ProducerIdManager property', () => {
  it('idsUniqueAndIncreasing: whatever the bursts, refusals and slow replies, ids come out once each, increasing, from granted blocks only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 15 }), async (steps) => {
        const controller = new ScriptedController(10);
        const manager = managerFor(controller, { retryBackoffMs: 5 });
        const ids: bigint[] = [];
        for (const s of steps) {
          switch (s.kind) {
            case 'burst':
              for (const result of await Promise.allSettled(Array.from({ length: s.calls }, () => manager.generate()))) {
                if (result.status === 'fulfilled') ids.push(result.value);
                else expect((result.reason as PartitionError).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
              }
              break;
            case 'refuseNext':
              controller.andThen(() => ({ errorCode: ErrorCode.STALE_BROKER_EPOCH, errorMessage: 'stale', producerIdStart: -1n, producerIdLen: 0 }));
              break;
            case 'slowNext':
              controller.andThen(() => sleep(s.ms).then(() => controller.block()));
              break;
            case 'wait':
              await sleep(s.ms);
              break;
          }
        }
        for (let i = 1; i < ids.length; i++) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);
        expect(ids.every((id) => id < controller.granted)).toBe(true);
        // Refusals still scripted are used up one request at a time, each after a backoff; then ids come again.
        let recovered: bigint | undefined;
        for (let attempt = 0; attempt < 20 && recovered === undefined; attempt++) {
          recovered = await manager.generate().catch(() => sleep(6).then(() => undefined));
        }
        expect(recovered).toBeDefined();
        expect(ids.every((id) => id < recovered!)).toBe(true);
        manager.close();
      }),
      { numRuns: 20 },
    );
  });
});
