// alterPartitionReassignments and listPartitionReassignments (KIP-455),
// both answered by the controller.
import { AlterPartitionReassignments, ListPartitionReassignments } from '@kstream/protocol';
import type { RequestOf } from '@kstream/protocol';
import type { TopicPartition } from '../consumer/assignors/assignor.js';
import { protocolError } from '../errors/index.js';
import { runBatch } from './admin-batch.js';
import type { ItemOutcome } from './admin-batch.js';
import { controllerOf, remainingMs, requestTimeout, startCall } from './admin-call.js';
import type { AdminContext } from './admin-call.js';
import { partitionName } from './admin-leaders.js';
import { byTopic } from './admin-offsets.js';
import type { AdminCallOptions } from './admin-options.js';
import { controllerRetry } from './admin-retry-policy.js';
import { atController, sendToOne } from './admin-routing.js';

export interface PartitionReassignmentTarget extends TopicPartition {
  /** The replicas the partition should end with, the preferred leader first; null cancels an ongoing reassignment. */
  readonly replicas: readonly number[] | null;
}

export interface PartitionReassignment extends TopicPartition {
  /** Every replica while it moves: the current ones and those being added. */
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
}

/**
 * Starts (or cancels) each partition's reassignment; resolves once the
 * controller has accepted them. The data moves afterwards:
 * listPartitionReassignments shows it moving, describeTopics the result.
 */
export async function alterPartitionReassignments(context: AdminContext, reassignments: readonly PartitionReassignmentTarget[], options: AdminCallOptions = {}): Promise<void> {
  const call = startCall(context, 'AlterPartitionReassignments', options);
  await runBatch<PartitionReassignmentTarget, void>(call, {
    items: reassignments,
    itemName: partitionName,
    retryItem: controllerRetry(context),
    attempt: (pending) =>
      sendToOne(
        pending,
        () => controllerOf(context),
        async (controller, items) => {
          const timeoutMs = remainingMs(call);
          const body: RequestOf<typeof AlterPartitionReassignments> = {
            timeoutMs,
            topics: byTopic(items).map(([name, targets]) => ({
              name,
              partitions: targets.map((t) => ({ partitionIndex: t.partition, replicas: t.replicas === null ? null : [...t.replicas] })),
            })),
          };
          const response = await controller.request(AlterPartitionReassignments, body, requestTimeout(call, timeoutMs));
          return items.map((tp): ItemOutcome<void> | undefined => {
            const context = { api: call.api, broker: controller.label, topic: tp.topic, partition: tp.partition };
            if (response.errorCode !== 0) return { error: protocolError(response.errorCode, { ...context, serverMessage: response.errorMessage }) };
            const answer = response.responses.find((t) => t.name === tp.topic)?.partitions.find((p) => p.partitionIndex === tp.partition);
            if (answer === undefined) return undefined;
            if (answer.errorCode !== 0) return { error: protocolError(answer.errorCode, { ...context, serverMessage: answer.errorMessage }) };
            return { value: undefined };
          });
        },
      ),
  });
}

/** The reassignments in progress among `partitions` (every one when absent), by topic then partition. */
export async function listPartitionReassignments(context: AdminContext, partitions?: readonly TopicPartition[], options: AdminCallOptions = {}): Promise<PartitionReassignment[]> {
  const call = startCall(context, 'ListPartitionReassignments', options);
  const response = await atController(call, async (controller) => {
    const timeoutMs = remainingMs(call);
    const body: RequestOf<typeof ListPartitionReassignments> = {
      timeoutMs,
      topics: partitions === undefined ? null : byTopic(partitions).map(([name, tps]) => ({ name, partitionIndexes: tps.map((tp) => tp.partition) })),
    };
    const answer = await controller.request(ListPartitionReassignments, body, requestTimeout(call, timeoutMs));
    if (answer.errorCode !== 0) throw protocolError(answer.errorCode, { api: call.api, broker: controller.label, serverMessage: answer.errorMessage });
    return answer;
  });
  return response.topics
    .flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas, addingReplicas: p.addingReplicas, removingReplicas: p.removingReplicas })),
    )
    .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}
