// AllocateProducerIds (KIP-730): the controller hands brokers producer ids
// in blocks, each starting where the last one ended, as the metadata log's
// latest ProducerIds record says. The record is committed before the reply,
// so a block a broker hears of is never handed out again, whatever restarts.
import type { AllocateProducerIdsReply, AllocateProducerIdsRequest, MetadataState, ProducerIdsRecord } from '@kstream/metadata';
import { ErrorCode } from '@kstream/protocol';

/** Ids per block, Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE. */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

const INT64_MAX = 2n ** 63n - 1n;

/** The record to commit (none when refused) and the reply to send once it is committed. */
export interface ProducerIdsDecision {
  readonly records: readonly ProducerIdsRecord[];
  readonly reply: AllocateProducerIdsReply;
}

/** Decides the next block for `msg.brokerId` against the state all earlier records produced. */
export function allocateProducerIds(state: MetadataState, msg: AllocateProducerIdsRequest): ProducerIdsDecision {
  const { brokerId, brokerEpoch } = msg;
  const refused = (errorCode: number, errorMessage: string): ProducerIdsDecision => ({
    records: [],
    reply: { errorCode, errorMessage: `AllocateProducerIds from broker ${brokerId}: ${errorMessage}`, producerIdStart: -1n, producerIdLen: 0 },
  });
  const current = state.broker(brokerId);
  // As Kafka's checkBrokerEpoch: an unknown broker's epoch is stale too.
  if (current === undefined) return refused(ErrorCode.STALE_BROKER_EPOCH, `no registration of broker ${brokerId}`);
  if (current.brokerEpoch !== brokerEpoch) {
    return refused(ErrorCode.STALE_BROKER_EPOCH, `broker epoch ${brokerEpoch} is not the registered epoch ${current.brokerEpoch}`);
  }
  // A fenced incarnation is dead to the cluster until it registers again.
  if (current.fenced) return refused(ErrorCode.BROKER_ID_NOT_REGISTERED, `broker ${brokerId} epoch ${brokerEpoch} is fenced`);
  const producerIdStart = state.nextProducerId;
  if (producerIdStart > INT64_MAX - BigInt(PRODUCER_ID_BLOCK_SIZE)) {
    return refused(ErrorCode.UNKNOWN_SERVER_ERROR, `producer ids are exhausted: the next block would start at ${producerIdStart} and end past ${INT64_MAX}`);
  }
  const nextProducerId = producerIdStart + BigInt(PRODUCER_ID_BLOCK_SIZE);
  return {
    records: [{ type: 'ProducerIds', brokerId, brokerEpoch, nextProducerId }],
    reply: { errorCode: ErrorCode.NONE, errorMessage: null, producerIdStart, producerIdLen: PRODUCER_ID_BLOCK_SIZE },
  };
}
