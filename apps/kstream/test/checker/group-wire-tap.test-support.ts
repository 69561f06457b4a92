// What a kafkajs member said to the coordinator and heard back, read off its
// own sockets: a kafkajs socketFactory whose sockets pass every byte through
// unchanged while the tap decodes the group requests it writes (SyncGroup,
// OffsetCommit, OffsetFetch) and their responses, matched by correlationId.
// kafkajs keeps generations and commit answers to itself; the wire is where
// the checker sees them. `kill` destroys the member's sockets and refuses
// new ones: the member dies without leaving its group.
import { connect, type Socket } from 'node:net';
import type { ApiSpec } from '@kstream/protocol';
import { decodeAssignment, decodeRequest, decodeResponse, FrameReader, OffsetCommit, OffsetFetch, responseCorrelationId, SyncGroup } from '@kstream/protocol';
import type { RequestOf, ResponseOf } from '@kstream/protocol';
import type { ISocketFactory } from 'kafkajs';
import { errorName } from '../raw-connection.test-support.js';
import type { CommitOutcome, GroupHistoryRecorder } from './group-history.test-support.js';

const MAX_FRAME_BYTES = 256 * 1024 * 1024;
const TAPPED = new Set<number>([SyncGroup.apiKey, OffsetCommit.apiKey, OffsetFetch.apiKey]);

/**
 * Errors Kafka's coordinator answers a commit with before writing anything.
 * Any other error may follow the write (REQUEST_TIMED_OUT, and
 * NOT_COORDINATOR, which a write that lost its leader is answered with).
 */
const REFUSED_BEFORE_WRITE = new Set([
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'REBALANCE_IN_PROGRESS',
  'FENCED_INSTANCE_ID',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'OFFSET_METADATA_TOO_LARGE',
  'INVALID_GROUP_ID',
  'GROUP_ID_NOT_FOUND',
]);

export function commitOutcome(errorCode: number): CommitOutcome {
  if (errorCode === 0) return { kind: 'ok' };
  const error = errorName(errorCode);
  return { kind: REFUSED_BEFORE_WRITE.has(error) ? 'refused' : 'indeterminate', error };
}

/** The member as its last SyncGroup answer left it. */
export interface MemberView {
  readonly memberId: string;
  readonly generation: number;
  readonly partitions: ReadonlySet<number>;
}

interface Sent {
  readonly api: ApiSpec;
  readonly version: number;
  readonly body: Record<string, unknown>;
  readonly at: number;
}

export class GroupWireTap {
  readonly #sockets = new Set<Socket>();
  #killed = false;
  #member: MemberView | null = null;

  constructor(
    private readonly consumer: string,
    private readonly recorder: GroupHistoryRecorder,
  ) {}

  /** The generation, member id and partitions of the member's last SyncGroup answered NONE; null before its first. */
  get member(): MemberView | null {
    return this.#member;
  }

  readonly socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = connect({ host, port }, onConnect);
    if (this.#killed) {
      process.nextTick(() => socket.destroy(new Error(`${this.consumer} was killed`)));
      return socket;
    }
    this.#tap(socket);
    return socket;
  };

  /** Destroys every socket of the member and refuses new ones; requests in flight are recorded as unanswered. */
  kill(): void {
    this.#killed = true;
    for (const socket of this.#sockets) socket.destroy();
  }

  #tap(socket: Socket): void {
    this.#sockets.add(socket);
    const sent = new Map<number, Sent>();
    const requests = new FrameReader(MAX_FRAME_BYTES);
    const responses = new FrameReader(MAX_FRAME_BYTES);
    const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (Buffer.isBuffer(chunk)) for (const frame of requests.push(chunk)) this.#onRequest(frame, sent);
      return write(chunk, ...rest);
    }) as typeof socket.write;
    socket.on('data', (chunk: Buffer) => {
      for (const frame of responses.push(chunk)) {
        const id = responseCorrelationId(frame);
        const request = sent.get(id);
        if (request === undefined) continue;
        sent.delete(id);
        this.#onResponse(request, frame);
      }
    });
    socket.once('close', () => {
      this.#sockets.delete(socket);
      for (const request of sent.values()) this.#unanswered(request);
      sent.clear();
    });
  }

  #onRequest(frame: Buffer, sent: Map<number, Sent>): void {
    const apiKey = frame.readInt16BE(4);
    if (!TAPPED.has(apiKey)) return;
    const { header, api, body } = decodeRequest(Buffer.from(frame));
    sent.set(header.correlationId, { api, version: header.apiVersion, body, at: this.recorder.now() });
  }

  #onResponse(request: Sent, frame: Buffer): void {
    const at = this.recorder.now();
    if (request.api === SyncGroup) {
      const sync = request.body as RequestOf<typeof SyncGroup>;
      const { body } = decodeResponse(SyncGroup, request.version, frame);
      if (body.errorCode !== 0) return;
      const assigned = body.assignment.length === 0 ? [] : decodeAssignment(Buffer.from(body.assignment)).assignedPartitions;
      const partitions = assigned.filter((a) => a.topic === this.recorder.base.topic).flatMap((a) => a.partitions);
      this.#member = { memberId: sync.memberId, generation: sync.generationId, partitions: new Set(partitions) };
      this.recorder.assignments.push({ consumer: this.consumer, memberId: sync.memberId, generation: sync.generationId, partitions, at });
    } else if (request.api === OffsetCommit) {
      const { body } = decodeResponse(OffsetCommit, request.version, frame);
      const answers = new Map(body.topics.flatMap((t) => t.partitions.map((p) => [`${t.name}:${p.partitionIndex}`, p.errorCode] as const)));
      this.#commits(request, (topic, partition) => commitOutcome(answers.get(`${topic}:${partition}`) ?? -1), at);
    } else if (request.api === OffsetFetch) {
      this.#offsets(decodeResponse(OffsetFetch, request.version, frame).body, request.at, at);
    }
  }

  #unanswered(request: Sent): void {
    if (request.api !== OffsetCommit) return;
    this.#commits(request, () => ({ kind: 'indeterminate', error: 'no answer: connection closed' }), this.recorder.now());
  }

  #commits(request: Sent, outcome: (topic: string, partition: number) => CommitOutcome, completedAt: number): void {
    const commit = request.body as RequestOf<typeof OffsetCommit>;
    for (const t of commit.topics) {
      if (t.name !== this.recorder.base.topic) continue;
      for (const p of t.partitions) {
        this.recorder.commits.push({
          consumer: this.consumer,
          memberId: commit.memberId,
          generation: commit.generationIdOrMemberEpoch,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          invokedAt: request.at,
          completedAt,
          outcome: outcome(t.name, p.partitionIndex),
        });
      }
    }
  }

  #offsets(body: ResponseOf<typeof OffsetFetch>, invokedAt: number, completedAt: number): void {
    const topics = body.groups.length > 0 ? body.groups.flatMap((g) => (g.errorCode === 0 ? g.topics : [])) : body.errorCode === 0 ? body.topics : [];
    for (const t of topics) {
      if (t.name !== this.recorder.base.topic) continue;
      for (const p of t.partitions) {
        if (p.errorCode !== 0) continue;
        this.recorder.offsetSamples.push({ source: this.consumer, partition: p.partitionIndex, offset: p.committedOffset, invokedAt, completedAt });
      }
    }
  }
}
