// DeleteTopics v0–6
// - v0–5 name topics; v6 names each by name or by topic id (exactly one).
// - Forwarded to the controller: an unknown name is
//   UNKNOWN_TOPIC_OR_PARTITION, an unknown id UNKNOWN_TOPIC_ID, both or
//   neither INVALID_REQUEST, delete.topic.enable=false
//   TOPIC_DELETION_DISABLED; the other topics are still deleted.
// - The reply waits until this broker's metadata no longer has the topics;
//   timeoutMs bounds the wait (REQUEST_TIMED_OUT when it runs out). The
//   hosts of their partitions delete the files as the removal reaches them.
import { DeleteTopics, ZERO_UUID } from '@kstream/protocol';
import type { ResponseOf } from '@kstream/protocol';
import { askController, isAdminFailure } from './controller-admin.js';
import type { ApiHandler } from './handler.js';

type DeletableTopicResult = ResponseOf<typeof DeleteTopics>['responses'][number];

export const deleteTopicsHandler: ApiHandler<typeof DeleteTopics> = {
  api: DeleteTopics,
  async handle(request, { apiVersion, broker }) {
    const requested =
      apiVersion >= 6
        ? request.topics.map(({ name, topicId }) => ({ name, topicId: topicId === ZERO_UUID ? null : topicId }))
        : request.topicNames.map((name) => ({ name, topicId: null }));
    const reply = await askController(broker, { type: 'DeleteTopics', topics: requested }, request.timeoutMs);
    const responses: DeletableTopicResult[] = isAdminFailure(reply)
      ? requested.map(({ name, topicId }) => ({
          // Before v6 a result must carry a name; a v6 entry without one has an id.
          name: name ?? (apiVersion >= 6 ? null : ''),
          topicId: topicId ?? ZERO_UUID,
          errorCode: reply.errorCode,
          errorMessage: reply.errorMessage,
        }))
      : reply.topics.map(({ name, topicId, errorCode, errorMessage }) => ({
          name: name ?? (apiVersion >= 6 ? null : ''),
          topicId: topicId ?? ZERO_UUID,
          errorCode,
          errorMessage,
        }));
    return { throttleTimeMs: 0, responses };
  },
};
