import { describe, expect, it } from 'vitest';
import { TRANSACTION_STATE_TOPIC } from '@kstream/metadata';
import { ErrorCode, InitProducerId, type RequestOf, type ResponseOf } from '@kstream/protocol';
import { PartitionError } from '@kstream/replication';
import { clusterRecords, overTheWire, testBroker, type TestBroker } from '../partitions/broker-services.test-support.js';
import { NO_RESPONSE } from './handler.js';
import { initProducerIdHandler } from './init-producer-id-handler.js';

const TXN_STATE = { name: TRANSACTION_STATE_TOPIC, topicId: '0d0d0d0d-0000-4000-8000-000000000001', partitions: 1 };

function request(fields: Partial<RequestOf<typeof InitProducerId>> = {}): RequestOf<typeof InitProducerId> {
  return { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1, ...fields };
}

async function init(broker: TestBroker, version: number, fields: Partial<RequestOf<typeof InitProducerId>> = {}): Promise<ResponseOf<typeof InitProducerId>> {
  const answer = await initProducerIdHandler.handle(request(fields), broker.context(InitProducerId, version));
  if (answer === NO_RESPONSE) throw new Error('InitProducerId must be answered');
  return overTheWire(InitProducerId, version, answer);
}

describe('InitProducerId handler', () => {
  it('idempotentProducerGetsFreshIds: without a transactional id every version gets a new producer id at epoch 0', async () => {
    const broker = await testBroker(clusterRecords());
    const ids: bigint[] = [];
    for (const version of [0, 1, 2, 3, 4, 5]) {
      const answer = await init(broker, version);
      expect(answer).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 0 });
      ids.push(answer.producerId);
    }
    expect(ids).toEqual([1000n, 1001n, 1002n, 1003n, 1004n, 1005n]);
  });

  it('idempotentRestartGetsFreshId: a v3+ producer id and epoch of an earlier incarnation is answered with a new id, as Kafka does', async () => {
    const broker = await testBroker(clusterRecords());
    expect(await init(broker, 4, { producerId: 77n, producerEpoch: 3 })).toMatchObject({ errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 0 });
  });

  it('halfAProducer: a producer id without an epoch, or the reverse, is INVALID_REQUEST', async () => {
    const broker = await testBroker(clusterRecords());
    expect(await init(broker, 3, { producerId: 77n })).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, producerId: -1n, producerEpoch: -1 });
    expect(await init(broker, 5, { producerEpoch: 2 })).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST });
  });

  it('noIdBlockYet: while the controller has not handed out a block the answer is COORDINATOR_LOAD_IN_PROGRESS, which clients retry', async () => {
    const unavailable = { generate: () => Promise.reject(new PartitionError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, 'no block yet')) };
    const broker = await testBroker(clusterRecords(), {}, { producerIds: unavailable });
    expect(await init(broker, 4)).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, producerId: -1n, producerEpoch: -1 });
  });

  it('transactionalIdFromItsCoordinator: the coordinator gives the id a producer id, and the next init the same id at the next epoch', async () => {
    const broker = await testBroker(clusterRecords(TXN_STATE));
    // The coordinator loads its partition after the election: COORDINATOR_LOAD_IN_PROGRESS until then.
    await expect.poll(async () => (await init(broker, 4, { transactionalId: 'billing-tx' })).errorCode, { timeout: 5_000 }).toBe(ErrorCode.NONE);
    const again = await init(broker, 4, { transactionalId: 'billing-tx' });
    expect(again).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 1 });
    const fresh = await init(broker, 4, { transactionalId: 'other-tx' });
    expect(fresh.producerId).not.toBe(again.producerId);
  });

  it("transactionalIdElsewhere: a broker that does not lead the id's __transaction_state partition answers NOT_COORDINATOR", async () => {
    const broker = await testBroker(clusterRecords({ ...TXN_STATE, leader: 2 }));
    expect(await init(broker, 4, { transactionalId: 'billing-tx' })).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR, producerId: -1n });
  });
});
