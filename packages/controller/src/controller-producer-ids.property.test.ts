// Blocks of producer ids never overlap, whatever brokers ask, with whatever
// epochs, however often brokers re-register or are fenced and the controller
// restarts in between.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@kstream/protocol';
import { Controller } from './controller.js';
import { quiet } from './controller.test-support.js';
import { PRODUCER_ID_BLOCK_SIZE } from './controller-producer-ids.js';

type Event =
  | { readonly kind: 'allocate'; readonly broker: number; readonly staleBy: number }
  | { readonly kind: 'register'; readonly broker: number }
  | { readonly kind: 'fence'; readonly broker: number }
  | { readonly kind: 'restart' };

const broker = fc.integer({ min: 1, max: 3 });
const event: fc.Arbitrary<Event> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('allocate' as const), broker, staleBy: fc.constantFrom(0, 0, 0, 1) }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('register' as const), broker }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('fence' as const), broker }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('restart' as const) }), weight: 1 },
);

async function run(events: readonly Event[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kstream-producer-ids-'));
  let controller = await Controller.open({ dir, logger: quiet });
  try {
    for (const id of [1, 2, 3]) await controller.handle({ type: 'BrokerRegistration', brokerId: id, host: '127.0.0.1', port: 9091 + id });
    const blocks: bigint[] = [];
    for (const e of events) {
      switch (e.kind) {
        case 'allocate': {
          const current = controller.metadata.broker(e.broker)!;
          const reply = await controller.handle({ type: 'AllocateProducerIds', brokerId: e.broker, brokerEpoch: current.brokerEpoch - e.staleBy });
          const granted = e.staleBy === 0 && !current.fenced;
          expect(reply.errorCode, JSON.stringify(e)).toBe(granted ? ErrorCode.NONE : e.staleBy > 0 ? ErrorCode.STALE_BROKER_EPOCH : ErrorCode.BROKER_ID_NOT_REGISTERED);
          if (granted) {
            expect(reply.producerIdLen).toBe(PRODUCER_ID_BLOCK_SIZE);
            blocks.push(reply.producerIdStart);
          }
          break;
        }
        case 'register':
          await controller.handle({ type: 'BrokerRegistration', brokerId: e.broker, host: '127.0.0.1', port: 9091 + e.broker });
          break;
        case 'fence':
          await controller.detachBroker(e.broker, 'its worker exited');
          break;
        case 'restart':
          await controller.close();
          controller = await Controller.open({ dir, logger: quiet });
          break;
      }
    }
    // Consecutive blocks from 0: none overlaps another, none is skipped.
    expect(blocks).toEqual(blocks.map((_, i) => BigInt(i * PRODUCER_ID_BLOCK_SIZE)));
    expect(controller.metadata.nextProducerId).toBe(BigInt(blocks.length * PRODUCER_ID_BLOCK_SIZE));
  } finally {
    await controller.close();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('producer ids property', () => {
  it('blocksNeverOverlap: granted blocks are consecutive from 0 across re-registrations, fencing and restarts; stale or fenced askers get none', async () => {
    await fc.assert(fc.asyncProperty(fc.array(event, { maxLength: 30 }), run), { numRuns: 40 });
  });
});
