import { replyWithTransfer, type TransferringReply } from '@kstream/actor';
import { OffsetOutOfRangeError } from '@kstream/log-storage';
import { ErrorCode } from '@kstream/protocol';
import type { DelayedFetchPurgatory } from './delayed-fetch.js';
import type {
  OffsetsForLeaderEpochReply,
  OffsetsForLeaderEpochRequest,
  ReplicaFetchPartition,
  ReplicaFetchPartitionResult,
  ReplicaFetchReply,
  ReplicaFetchRequest,
  ReplicaRequest,
} from './messages.js';
import { AT_LOG_END, type FollowerFetchRead, Partition } from './partition.js';
import { errorCodeOf } from './partition-errors.js';
import { offsetsAsTold, type ReplicaFetchSession, ReplicaFetchSessions, type SessionPartition } from './replica-fetch-session.js';

/** The partitions this broker leads (the broker's ReplicaManager): the one asked, or a PartitionError (NOT_LEADER_OR_FOLLOWER, a leader epoch error, ...). */
export interface LeaderPartitions {
  leaderPartition(topic: string, partition: number, currentLeaderEpoch: number): Promise<Partition>;
  /**
   * leaderPartition's answer in the same turn, by the partition's key
   * (`topic-partition`): the partition, or the error thrown; undefined when
   * a hosting change of it is in flight (leaderPartition waits for that).
   */
  leaderPartitionNow(key: string, topic: string, partition: number, currentLeaderEpoch: number): Partition | undefined;
}

export interface ReplicaLeaderServerOptions {
  readonly partitions: LeaderPartitions;
  /** Followers' parked fetches, woken by appends as leader (ReplicationContext.onLeaderAppend) and partition changes. */
  readonly purgatory: DelayedFetchPurgatory;
}

/** Answers a peer's request (PeerLinks.setHandler): what it returns is the reply, its record bytes transferred. */
export type ReplicaRequestServer = (msg: ReplicaRequest, fromBroker: number) => Promise<ReplicaFetchReply | TransferringReply<ReplicaFetchReply> | OffsetsForLeaderEpochReply>;

/**
 * The leader side of the data plane (Kafka's ReplicaManager serving follower
 * fetches): ReplicaFetch, in the follower's fetch session
 * (ReplicaFetchSession), reads each partition of the session from the
 * follower's log end offset up to the leader's, recording the follower's
 * position (which moves the ISR and the high watermark), and answers the
 * partitions with news; while none has any it is parked until this broker
 * appends to one of the partitions, one of them changes, or
 * replica.fetch.wait.max.ms passes. OffsetsForLeaderEpoch answers where an
 * epoch ends in the leader's log.
 */
export function replicaLeaderServer(options: ReplicaLeaderServerOptions): ReplicaRequestServer {
  const sessions = new ReplicaFetchSessions();
  return async (msg, fromBroker) => {
    switch (msg.type) {
      case 'ReplicaFetch':
        return serveFetch(options, sessions, msg, fromBroker);
      case 'OffsetsForLeaderEpoch':
        return serveOffsetsForLeaderEpoch(options, msg);
      default: {
        const unknown: never = msg;
        throw new Error(`unknown replica request ${JSON.stringify(unknown)}`);
      }
    }
  };
}

async function serveFetch(
  options: ReplicaLeaderServerOptions,
  sessions: ReplicaFetchSessions,
  msg: ReplicaFetchRequest,
  fromBroker: number,
): Promise<ReplicaFetchReply | TransferringReply<ReplicaFetchReply>> {
  if (msg.replicaId !== fromBroker) throw new Error(`broker ${fromBroker} fetched as replica ${msg.replicaId}`);
  const session = sessions.sessionFor(msg);
  if (typeof session === 'number') return { errorCode: session, sessionId: msg.sessionId, partitions: [] };
  const parked = msg.maxWaitMs > 0 ? options.purgatory.watch(session.keys, { notingChanges: true }) : undefined;
  try {
    let read: SessionRead | undefined = await readSession(options.partitions, session, msg, session.partitions.values());
    if (parked !== undefined && !read.data && session.partitions.size > 0) {
      const news = read.carried.map(({ cached }) => cached.key);
      // Not held while parked: a new session's read has a result for every partition.
      read = undefined;
      await parked.wait(1, msg.maxWaitMs);
      const changed = parked.changed;
      read = await readSession(options.partitions, session, msg, changed === undefined ? session.partitions.values() : withNews(session, news, changed));
    }
    const results = read.carried.map(({ cached, result }) => {
      session.carried(cached, result);
      return result;
    });
    return withTransferredRecords({ errorCode: ErrorCode.NONE, sessionId: session.id, partitions: results });
  } finally {
    parked?.complete();
  }
}

/** A read of a session: the results its reply must carry, and whether any is more than news of offsets (what ends a long poll). */
interface SessionRead {
  readonly carried: { readonly cached: SessionPartition; readonly result: ReplicaFetchPartitionResult }[];
  readonly data: boolean;
}

/**
 * Reads the session's partitions `toRead` (every one, but after a wait: see
 * withNews), recording the follower's position in each. Data is
 * records, an error or a diverging epoch, as before sessions: new offsets
 * alone do not end a long poll (Kafka's DelayedFetch waits for bytes), they
 * ride on the reply that ends it.
 */
async function readSession(partitions: LeaderPartitions, session: ReplicaFetchSession, msg: ReplicaFetchRequest, toRead: Iterable<SessionPartition>): Promise<SessionRead> {
  const carried: SessionRead['carried'] = [];
  let data = false;
  let remaining = msg.maxBytes;
  // A copy: carrying a partition moves it to the end of the session.
  for (const cached of [...toRead]) {
    const now = readNow(partitions, msg.replicaId, cached);
    if (now === AS_TOLD) continue;
    const maxBytes = Math.min(msg.partitionMaxBytes, remaining);
    const result =
      now === undefined ? await readOne(partitions, msg.replicaId, cached, maxBytes) : now instanceof Partition ? await readRecords(now, msg.replicaId, cached, maxBytes) : now;
    remaining = Math.max(0, remaining - result.records.length);
    if (!session.mustCarry(cached, result)) continue;
    carried.push({ cached, result });
    data ||= result.records.byteLength > 0 || result.errorCode !== ErrorCode.NONE || result.divergingEpoch !== null;
  }
  return { carried, data };
}

/**
 * What a parked fetch reads again when its wait ends: the partitions whose
 * news the read before the wait found, and those that had news while it
 * waited (DelayedFetch.changed: an append, a change of leadership or
 * hosting, a high watermark move), in the session's order. No other
 * partition can read differently than it did: only a log start offset moved
 * by retention or DeleteRecords goes unseen, and the next fetch, sent at
 * once, finds it and carries it when its own wait ends. A session of
 * thousands of idle partitions is read once a wait, not twice.
 */
function withNews(session: ReplicaFetchSession, news: readonly string[], changed: ReadonlySet<string>): SessionPartition[] {
  const keys = news.length === 0 ? changed : new Set([...news, ...changed]);
  const partitions: SessionPartition[] = [];
  if (keys.size === 0) return partitions;
  for (const cached of session.partitions.values()) if (keys.has(cached.key)) partitions.push(cached);
  return partitions;
}

/** readNow's answer for a follower at the log end whose offsets it was told: the reply leaves the partition out. */
const AS_TOLD: unique symbol = Symbol('as told');

/**
 * readOne in the same turn when no hosting change of the partition is in
 * flight: the result if it needs no log read (Partition.fetchForFollowerNow),
 * with no promise for each of a session's thousands of idle partitions on
 * every fetch, and AS_TOLD, with no object at all, for one at the log end
 * with no news; the partition if it has records to read (readRecords, its
 * checks done); undefined while a hosting change is in flight (readOne).
 */
function readNow(partitions: LeaderPartitions, replicaId: number, p: SessionPartition): ReplicaFetchPartitionResult | Partition | typeof AS_TOLD | undefined {
  let leader: Partition | undefined;
  try {
    leader = partitions.leaderPartitionNow(p.key, p.topic, p.partition, p.currentLeaderEpoch);
    if (leader === undefined) return undefined;
    const read = leader.fetchForFollowerNow(replicaId, p.fetchOffset, p.lastFetchedEpoch);
    if (read === AT_LOG_END) return offsetsAsTold(p, leader.highWatermark, leader.logStartOffset) ? AS_TOLD : resultOf(p, leader.offsetsRead());
    return read === undefined ? leader : resultOf(p, read);
  } catch (error) {
    return failedResult(p, error, leader);
  }
}

async function readRecords(leader: Partition, replicaId: number, p: ReplicaFetchPartition, maxBytes: number): Promise<ReplicaFetchPartitionResult> {
  try {
    return resultOf(p, await leader.readForFollower(replicaId, p.fetchOffset, maxBytes));
  } catch (error) {
    return failedResult(p, error, leader);
  }
}

async function readOne(partitions: LeaderPartitions, replicaId: number, p: ReplicaFetchPartition, maxBytes: number): Promise<ReplicaFetchPartitionResult> {
  let leader: Partition | undefined;
  try {
    leader = await partitions.leaderPartition(p.topic, p.partition, p.currentLeaderEpoch);
    return resultOf(p, await leader.fetchForFollower(replicaId, p.fetchOffset, p.lastFetchedEpoch, maxBytes));
  } catch (error) {
    return failedResult(p, error, leader);
  }
}

function resultOf({ topic, partition }: ReplicaFetchPartition, read: FollowerFetchRead): ReplicaFetchPartitionResult {
  return {
    topic,
    partition,
    errorCode: ErrorCode.NONE,
    highWatermark: read.highWatermark,
    logStartOffset: read.logStartOffset,
    logEndOffset: read.logEndOffset,
    divergingEpoch: read.divergingEpoch ?? null,
    records: read.records,
  };
}

/** A partition's read that failed; an offset out of range still tells the leader's offsets. */
function failedResult({ topic, partition }: ReplicaFetchPartition, error: unknown, leader: Partition | undefined): ReplicaFetchPartitionResult {
  const known = error instanceof OffsetOutOfRangeError && leader !== undefined;
  return {
    topic,
    partition,
    errorCode: errorCodeOf(error),
    highWatermark: known ? leader!.highWatermark : -1n,
    logStartOffset: known ? leader!.logStartOffset : -1n,
    logEndOffset: known ? leader!.logEndOffset : -1n,
    divergingEpoch: null,
    records: EMPTY,
  };
}

const EMPTY = new Uint8Array(0);

/**
 * The reply with its record bytes moved to the follower. A log read's bytes
 * are a view over an ArrayBuffer allocated for that read alone (often
 * larger: the read asks for up to replica.fetch.max.bytes and keeps whole
 * batches), so the whole ArrayBuffer is transferred and the view rebuilt
 * over it on arrival. A small read's Buffer may share Node's pool
 * (Buffer.poolSize), whose ArrayBuffer must not be moved: it is left to the
 * codec, which copies it into the frame.
 */
function withTransferredRecords(reply: ReplicaFetchReply): ReplicaFetchReply | TransferringReply<ReplicaFetchReply> {
  const transfer: ArrayBuffer[] = [];
  for (const { records } of reply.partitions) {
    if (records.byteLength > 0 && ownsItsArrayBuffer(records)) transfer.push(records.buffer as ArrayBuffer);
  }
  return transfer.length === 0 ? reply : replyWithTransfer(reply, transfer);
}

function ownsItsArrayBuffer(view: Uint8Array): boolean {
  const { buffer } = view;
  if (!(buffer instanceof ArrayBuffer)) return false;
  return (view.byteOffset === 0 && view.byteLength === buffer.byteLength) || buffer.byteLength > Buffer.poolSize;
}

async function serveOffsetsForLeaderEpoch(options: ReplicaLeaderServerOptions, msg: OffsetsForLeaderEpochRequest): Promise<OffsetsForLeaderEpochReply> {
  const results = [];
  for (const { topic, partition, currentLeaderEpoch, leaderEpoch } of msg.partitions) {
    try {
      const leader = await options.partitions.leaderPartition(topic, partition, currentLeaderEpoch);
      const end = leader.log.endOffsetForEpoch(leaderEpoch);
      results.push({ topic, partition, errorCode: ErrorCode.NONE, leaderEpoch: end.epoch, endOffset: end.endOffset });
    } catch (error) {
      results.push({ topic, partition, errorCode: errorCodeOf(error), leaderEpoch: -1, endOffset: -1n });
    }
  }
  return { partitions: results };
}
