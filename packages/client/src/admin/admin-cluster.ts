// describeCluster and electLeaders.
import { DescribeCluster, ElectLeaders, ErrorCode, Metadata } from '@kstream/protocol';
import type { RequestOf, ResponseOf } from '@kstream/protocol';
import type { BrokerInfo } from '../cluster/index.js';
import type { TopicPartition } from '../consumer/assignors/assignor.js';
import type { BrokerConnection } from '../connection/index.js';
import { KafkaUnsupportedVersionError, protocolError } from '../errors/index.js';
import { runBatch } from './admin-batch.js';
import type { ItemOutcome } from './admin-batch.js';
import { controllerOf, remainingMs, requestTimeout, retrying, startCall } from './admin-call.js';
import type { AdminCall, AdminContext } from './admin-call.js';
import { AdminBatchError } from './admin-errors.js';
import type { AdminItemFailure } from './admin-errors.js';
import { partitionName } from './admin-leaders.js';
import { byTopic } from './admin-offsets.js';
import type { AdminCallOptions } from './admin-options.js';
import { controllerRetry } from './admin-retry-policy.js';
import { atController, sendToOne } from './admin-routing.js';

export interface ClusterDescription {
  readonly clusterId: string | null;
  /** The broker Kafka reports as controller; null when none is known. */
  readonly controller: BrokerInfo | null;
  /** By node id. */
  readonly brokers: readonly BrokerInfo[];
}

/** Kafka's ElectionType: the first replica back to leader, or any live replica for a leaderless partition. */
export type ElectionType = 'preferred' | 'unclean';

export interface ElectionResult extends TopicPartition {
  /** false when the partition needed no election (ELECTION_NOT_NEEDED: its leader is already the one the type wants). */
  readonly elected: boolean;
}

/** The brokers, the controller and the cluster id (DescribeCluster, or Metadata from brokers without it). */
export function describeCluster(context: AdminContext, options: AdminCallOptions = {}): Promise<ClusterDescription> {
  const call = startCall(context, 'DescribeCluster', options);
  return retrying(call, async () => {
    const broker = await context.cluster.anyBroker();
    if (!broker.supports(DescribeCluster)) return fromMetadata(await broker.request(Metadata, everyBrokerNoTopic()));
    const response = await broker.request(DescribeCluster, { includeClusterAuthorizedOperations: false, endpointType: 1 });
    if (response.errorCode !== 0) throw protocolError(response.errorCode, { api: call.api, broker: broker.label, serverMessage: response.errorMessage });
    const brokers = response.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack })).sort((a, b) => a.nodeId - b.nodeId);
    return { clusterId: response.clusterId, controller: brokers.find((b) => b.nodeId === response.controllerId) ?? null, brokers };
  });
}

function everyBrokerNoTopic(): RequestOf<typeof Metadata> {
  return { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
}

function fromMetadata(response: ResponseOf<typeof Metadata>): ClusterDescription {
  const brokers = response.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })).sort((a, b) => a.nodeId - b.nodeId);
  return { clusterId: response.clusterId, controller: brokers.find((b) => b.nodeId === response.controllerId) ?? null, brokers };
}

const ELECTION_TYPES: Record<ElectionType, number> = { preferred: 0, unclean: 1 };

type ElectLeadersResponse = ResponseOf<typeof ElectLeaders>;

/**
 * Elects leaders of `partitions` (null: every partition of the cluster,
 * answering only those that had an election). A partition whose election
 * failed (PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE, ...)
 * makes it an AdminBatchError.
 */
export async function electLeaders(
  context: AdminContext,
  type: ElectionType,
  partitions: readonly TopicPartition[] | null,
  options: AdminCallOptions = {},
): Promise<ElectionResult[]> {
  const call = startCall(context, 'ElectLeaders', options);
  if (partitions !== null) {
    return runBatch<TopicPartition, ElectionResult>(call, {
      items: partitions,
      itemName: partitionName,
      retryItem: controllerRetry(context),
      attempt: (pending) =>
        sendToOne(
          pending,
          () => controllerOf(context),
          async (controller, items) => {
            const response = await requestElection(call, controller, type, items);
            return items.map((tp) => electionOutcome(call, controller, response, tp));
          },
        ),
    });
  }
  const { controller, response } = await atController(call, async (c) => ({ controller: c, response: await requestElection(call, c, type, null) }));
  const results: ElectionResult[] = [];
  const failures: AdminItemFailure[] = [];
  for (const topic of response.replicaElectionResults) {
    for (const { partitionId } of topic.partitionResult) {
      const tp = { topic: topic.topic, partition: partitionId };
      const outcome = electionOutcome(call, controller, response, tp)!;
      if ('value' in outcome) results.push(outcome.value);
      else failures.push({ item: partitionName(tp), error: outcome.error });
    }
  }
  if (failures.length > 0) throw new AdminBatchError(call.api, failures, results);
  return results;
}

async function requestElection(call: AdminCall, controller: BrokerConnection, type: ElectionType, partitions: readonly TopicPartition[] | null): Promise<ElectLeadersResponse> {
  if (type !== 'preferred' && !controller.supports(ElectLeaders, 1)) {
    throw new KafkaUnsupportedVersionError(`${controller.label} elects only preferred leaders: an ${type} election needs ElectLeaders v1+`);
  }
  const timeoutMs = remainingMs(call);
  const body: RequestOf<typeof ElectLeaders> = {
    electionType: ELECTION_TYPES[type],
    topicPartitions: partitions === null ? null : byTopic(partitions).map(([topic, tps]) => ({ topic, partitions: tps.map((tp) => tp.partition) })),
    timeoutMs,
  };
  const response = await controller.request(ElectLeaders, body, requestTimeout(call, timeoutMs));
  // v1+ has a top-level error for the whole request (e.g. NOT_CONTROLLER).
  if (response.errorCode !== 0) throw protocolError(response.errorCode, { api: call.api, broker: controller.label });
  return response;
}

function electionOutcome(call: AdminCall, controller: BrokerConnection, response: ElectLeadersResponse, tp: TopicPartition): ItemOutcome<ElectionResult> | undefined {
  const answer = response.replicaElectionResults.find((t) => t.topic === tp.topic)?.partitionResult.find((p) => p.partitionId === tp.partition);
  if (answer === undefined) return undefined;
  if (answer.errorCode === ErrorCode.NONE || answer.errorCode === ErrorCode.ELECTION_NOT_NEEDED) {
    return { value: { topic: tp.topic, partition: tp.partition, elected: answer.errorCode === ErrorCode.NONE } };
  }
  return { error: protocolError(answer.errorCode, { api: call.api, broker: controller.label, topic: tp.topic, partition: tp.partition, serverMessage: answer.errorMessage }) };
}
