import { ErrorCode, FINAL_EPOCH, INITIAL_EPOCH, INVALID_SESSION_ID, nextEpoch } from '@kstream/protocol';
import { sessionPartitionKey, type FetchPartitionParams, type FetchPartitionResult, type FetchSession } from './fetch-session.js';
import type { FetchSessionCache } from './fetch-session-cache.js';

/** The session part of a Fetch request, with topics resolved. */
export interface FetchSessionRequest {
  readonly sessionId: number;
  readonly sessionEpoch: number;
  /** Full fetches: every partition. Incremental: the added and changed ones. */
  readonly partitions: readonly FetchPartitionParams[];
  /** Incremental fetches: partitions to drop from the session. */
  readonly forgotten: readonly Pick<FetchPartitionParams, 'topic' | 'topicId' | 'partition'>[];
  /** Fetch v13+: partitions are named by topic id. */
  readonly usesTopicIds: boolean;
}

export interface FetchResponsePartition {
  readonly params: FetchPartitionParams;
  readonly result: FetchPartitionResult;
}

/**
 * How one Fetch request is served, given its session fields (Kafka's
 * FetchContext): which partitions to read, and which of them the response
 * carries under which session id. A session error reads nothing and is
 * answered in the top-level error code.
 */
export interface FetchContext {
  readonly kind: 'sessionless' | 'full' | 'incremental' | 'error';
  /** Top-level error: FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH, FETCH_SESSION_TOPIC_ID_ERROR. */
  readonly errorCode: number;
  readonly partitions: readonly FetchPartitionParams[];
  /** Builds the response's partitions (results in `partitions` order) and names the session. */
  respond(results: readonly FetchPartitionResult[]): { sessionId: number; partitions: FetchResponsePartition[] };
}

/**
 * Interprets a fetch's session fields as KIP-227 defines them:
 * - epoch -1: no session (closing the named one, if any);
 * - epoch 0: a full fetch that opens a new session (closing the named one) —
 *   answered with session id 0 when the cache has no slot or no room for
 *   its partitions;
 * - otherwise: an incremental fetch of session `sessionId`, whose epoch must
 *   match (INVALID_FETCH_SESSION_EPOCH) and which must exist
 *   (FETCH_SESSION_ID_NOT_FOUND); it carries only partitions with news. One
 *   that grows the session past the cache's partition budget drops the
 *   session and is FETCH_SESSION_ID_NOT_FOUND, so the client starts over
 *   with a full fetch.
 */
export function newFetchContext(cache: FetchSessionCache, request: FetchSessionRequest): FetchContext {
  const { sessionId, sessionEpoch, usesTopicIds } = request;
  if (sessionEpoch === INITIAL_EPOCH || sessionEpoch === FINAL_EPOCH) {
    if (sessionId !== INVALID_SESSION_ID) cache.remove(sessionId);
    return sessionEpoch === FINAL_EPOCH ? sessionlessContext(request.partitions) : fullContext(cache, request.partitions, usesTopicIds);
  }
  const session = cache.get(sessionId);
  if (session === undefined) return errorContext(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  if (session.epoch !== sessionEpoch) return errorContext(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
  if (session.usesTopicIds !== usesTopicIds) return errorContext(ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR);
  const counted = session.size;
  session.update(request.partitions, request.forgotten);
  if (!cache.resized(session, counted)) return errorContext(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  if (session.size === 0) {
    cache.remove(session.id);
    return sessionlessContext([]);
  }
  cache.touch(session);
  session.epoch = nextEpoch(session.epoch);
  return incrementalContext(session);
}

function sessionlessContext(partitions: readonly FetchPartitionParams[]): FetchContext {
  return {
    kind: 'sessionless',
    errorCode: ErrorCode.NONE,
    partitions,
    respond: (results) => ({ sessionId: INVALID_SESSION_ID, partitions: zip(partitions, results) }),
  };
}

function fullContext(cache: FetchSessionCache, partitions: readonly FetchPartitionParams[], usesTopicIds: boolean): FetchContext {
  return {
    kind: 'full',
    errorCode: ErrorCode.NONE,
    partitions,
    respond: (results) => {
      const session = cache.create(partitions.length, usesTopicIds);
      if (session !== undefined) {
        partitions.forEach((params, i) => {
          const { highWatermark, lastStableOffset, logStartOffset } = results[i]!;
          session.partitions.set(sessionPartitionKey(params, usesTopicIds), { ...params, highWatermark, lastStableOffset, logStartOffset });
        });
        cache.resized(session, partitions.length);
      }
      return { sessionId: session?.id ?? INVALID_SESSION_ID, partitions: zip(partitions, results) };
    },
  };
}

function incrementalContext(session: FetchSession): FetchContext {
  const partitions = [...session.partitions.values()].map(
    ({ topic, topicId, partition, fetchOffset, partitionMaxBytes, currentLeaderEpoch }): FetchPartitionParams => ({
      topic,
      topicId,
      partition,
      fetchOffset,
      partitionMaxBytes,
      currentLeaderEpoch,
    }),
  );
  return {
    kind: 'incremental',
    errorCode: ErrorCode.NONE,
    partitions,
    respond: (results) => ({
      sessionId: session.id,
      partitions: zip(partitions, results).filter(({ params, result }) => session.mustRespond(sessionPartitionKey(params, session.usesTopicIds), result)),
    }),
  };
}

function errorContext(errorCode: number): FetchContext {
  return { kind: 'error', errorCode, partitions: [], respond: () => ({ sessionId: INVALID_SESSION_ID, partitions: [] }) };
}

function zip(partitions: readonly FetchPartitionParams[], results: readonly FetchPartitionResult[]): FetchResponsePartition[] {
  return partitions.map((params, i) => ({ params, result: results[i]! }));
}
