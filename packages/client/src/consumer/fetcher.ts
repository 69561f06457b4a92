// Fetch: one request per leader broker for the assigned, unpaused partitions
// that have room in their buffer, at most one outstanding per broker (as
// Kafka's consumer). A partition goes back into the next request as soon as
// its response is buffered and the application has room for more, so the
// next fetch is on the wire while the application works on the last one.
// Responses are decoded as they arrive: decompression runs on libuv's pool
// while the application processes what came before.
//
// Errors, per partition: a stale leader (NOT_LEADER_OR_FOLLOWER,
// FENCED_LEADER_EPOCH, UNKNOWN_TOPIC_OR_PARTITION, ...) takes KIP-951's
// currentLeader hint when the broker sends one, else invalidates the topic's
// metadata, then fetches again; OFFSET_OUT_OF_RANGE asks for a reset by
// autoOffsetReset. A lost connection or a timeout backs the broker off and
// invalidates the topics it led. Anything else is the application's to see.
import { ErrorCode, Fetch, FINAL_EPOCH, INVALID_SESSION_ID, type RequestOf, type ResponseOf, ZERO_UUID } from '@kstream/protocol';
import type { ClusterClient } from '../cluster/index.js';
import { backoffDelay, KafkaClientError, protocolError } from '../errors/index.js';
import { AbortedTransactions } from './aborted-transactions.js';
import { partitionKey } from './assignors/assignor.js';
import { clientErrorOf } from './client-error-of.js';
import type { ResolvedConsumerOptions } from './consumer-options.js';
import { type DecodedFetch, decodeFetchedRecords } from './fetched-records-decoder.js';
import { OffsetOutOfRangeError } from './offset-reset-error.js';
import type { PartitionState, SubscriptionState } from './subscription-state.js';

export interface FetcherEvents {
  /** New data is buffered, or a partition needs its position reset. */
  changed(): void;
  /** An error the application must see (its next poll throws it). */
  failed(error: KafkaClientError): void;
  /** Fetching may resume at `atMs` (a backoff ends). */
  retryAt(atMs: number): void;
}

/** Partition errors that mean "this broker is not (or no longer) the leader we think". */
const STALE_LEADER_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.OFFSET_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.INCONSISTENT_TOPIC_ID,
]);

const EMPTY = Buffer.alloc(0);

/** The last version that names topics rather than topic ids. */
const LAST_TOPIC_NAME_VERSION = 12;

interface FetchedPartition<K, V> {
  state: PartitionState<K, V>;
  fetchOffset: bigint;
}

export class Fetcher<K, V> {
  readonly #inFlightNodes = new Set<number>();
  /** Per broker: consecutive failed fetches and when it may be fetched from again. */
  readonly #nodeBackoff = new Map<number, { attempts: number; until: number }>();
  #sequence = 0;
  #closed = false;

  constructor(
    private readonly cluster: ClusterClient,
    private readonly subscriptions: SubscriptionState<K, V>,
    private readonly options: ResolvedConsumerOptions<K, V>,
    private readonly events: FetcherEvents,
  ) {}

  close(): void {
    this.#closed = true;
  }

  /** Sends a Fetch to each leader that has fetchable partitions and none outstanding; resolves once they are sent. */
  async sendFetches(): Promise<void> {
    const now = Date.now();
    const candidates = this.subscriptions.fetchable(now);
    if (candidates.length === 0) return;
    const byLeader = new Map<number, PartitionState<K, V>[]>();
    await Promise.all(
      candidates.map(async (state) => {
        try {
          const leader = await this.cluster.leaderFor(state.topic, state.partition);
          if (this.#inFlightNodes.has(leader)) return;
          const list = byLeader.get(leader);
          if (list === undefined) byLeader.set(leader, [state]);
          else list.push(state);
        } catch (error) {
          this.#partitionFailed(state, clientErrorOf(error));
        }
      }),
    );
    if (this.#closed) return;
    const stillFetchable = new Set(this.subscriptions.fetchable(Date.now()));
    for (const [leader, states] of byLeader) {
      const backoff = this.#nodeBackoff.get(leader);
      if (backoff !== undefined && backoff.until > now) {
        this.events.retryAt(backoff.until);
        continue;
      }
      const partitions = states.filter((state) => stillFetchable.has(state));
      if (partitions.length > 0 && !this.#inFlightNodes.has(leader)) void this.#fetchFrom(leader, partitions);
    }
  }

  async #fetchFrom(leader: number, states: readonly PartitionState<K, V>[]): Promise<void> {
    const partitions: FetchedPartition<K, V>[] = states.map((state) => ({ state, fetchOffset: state.fetchPosition! }));
    for (const state of states) state.inFlight = true;
    this.#inFlightNodes.add(leader);
    let broker = `broker ${leader}`;
    try {
      const connection = await this.cluster.broker(leader);
      broker = connection.label;
      const { body, version, topicNames } = this.#request(partitions, connection.version(Fetch));
      const response = await connection.request(Fetch, body, {
        version,
        timeoutMs: this.cluster.options.requestTimeoutMs + this.options.fetchMaxWaitMs,
      });
      this.#nodeBackoff.delete(leader);
      if (!this.#closed) await this.#handleResponse(response, partitions, topicNames, broker);
    } catch (error) {
      if (!this.#closed) this.#fetchFailed(leader, partitions, clientErrorOf(error));
    } finally {
      for (const state of states) state.inFlight = false;
      this.#inFlightNodes.delete(leader);
      if (!this.#closed) this.events.changed();
    }
  }

  #request(partitions: readonly FetchedPartition<K, V>[], highestVersion: number): { body: RequestOf<typeof Fetch>; version: number; topicNames: Map<string, string> } {
    const byTopic = new Map<string, FetchedPartition<K, V>[]>();
    for (const fetched of partitions) {
      const list = byTopic.get(fetched.state.topic);
      if (list === undefined) byTopic.set(fetched.state.topic, [fetched]);
      else list.push(fetched);
    }
    const topics = this.cluster.metadata.topics;
    const topicNames = new Map<string, string>();
    for (const topic of byTopic.keys()) topicNames.set(topics.get(topic)?.topicId ?? ZERO_UUID, topic);
    // Topic ids (v13+) only when the metadata gave one for every topic, as Kafka's consumer decides.
    const version = topicNames.has(ZERO_UUID) ? Math.min(highestVersion, LAST_TOPIC_NAME_VERSION) : highestVersion;
    const body: RequestOf<typeof Fetch> = {
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1n },
      maxWaitMs: this.options.fetchMaxWaitMs,
      minBytes: this.options.fetchMinBytes,
      maxBytes: this.options.fetchMaxBytes,
      isolationLevel: this.options.isolationLevel === 'read_committed' ? 1 : 0,
      // Sessionless (KIP-227's final epoch): each fetch names every partition.
      sessionId: INVALID_SESSION_ID,
      sessionEpoch: FINAL_EPOCH,
      topics: [...byTopic].map(([topic, fetched]) => ({
        topic,
        topicId: topics.get(topic)?.topicId ?? ZERO_UUID,
        partitions: fetched.map(({ state, fetchOffset }) => ({
          partition: state.partition,
          currentLeaderEpoch: topics.get(topic)?.partitions[state.partition]?.leaderEpoch ?? -1,
          fetchOffset,
          lastFetchedEpoch: -1,
          logStartOffset: -1n,
          partitionMaxBytes: this.options.maxPartitionFetchBytes,
        })),
      })),
      forgottenTopicsData: [],
      rackId: '',
    };
    return { body, version, topicNames };
  }

  async #handleResponse(response: ResponseOf<typeof Fetch>, partitions: readonly FetchedPartition<K, V>[], topicNames: ReadonlyMap<string, string>, broker: string): Promise<void> {
    if (response.errorCode !== 0) {
      const error = protocolError(response.errorCode, { api: 'Fetch', broker });
      if (!error.retriable) return this.events.failed(error);
      for (const { state } of partitions) this.#partitionFailed(state, error);
      return;
    }
    const requested = new Map(partitions.map((fetched) => [fetched.state.key, fetched]));
    for (const topicResponse of response.responses) {
      const topic = topicResponse.topicId !== ZERO_UUID ? (topicNames.get(topicResponse.topicId) ?? topicResponse.topic) : topicResponse.topic;
      for (const partition of topicResponse.partitions) {
        const fetched = requested.get(partitionKey({ topic, partition: partition.partitionIndex }));
        if (fetched === undefined) continue;
        if (partition.errorCode === 0) await this.#buffer(fetched, partition, broker);
        else this.#partitionError(fetched, partition, response.nodeEndpoints, broker);
      }
    }
  }

  async #buffer({ state, fetchOffset }: FetchedPartition<K, V>, partition: ResponseOf<typeof Fetch>['responses'][number]['partitions'][number], broker: string): Promise<void> {
    const data = partition.records;
    // With no aborted transaction listed there is nothing to drop: not even a marker needs reading.
    const abortedList = this.options.isolationLevel === 'read_committed' ? (partition.abortedTransactions ?? []) : [];
    const aborted = abortedList.length > 0 ? new AbortedTransactions(abortedList) : null;
    let decoded: DecodedFetch<K, V>;
    try {
      const source = {
        topic: state.topic,
        partition: state.partition,
        keyDeserializer: this.options.keyDeserializer,
        valueDeserializer: this.options.valueDeserializer,
      };
      decoded = await decodeFetchedRecords(data ?? EMPTY, fetchOffset, source, aborted);
    } catch (error) {
      if (state.fetchPosition !== fetchOffset) return; // sought elsewhere meanwhile
      // Fetched again it would fail again: the partition waits for the application to seek past it.
      state.fetchPosition = null;
      this.events.failed(
        new KafkaClientError(
          `corrupt record data for ${state.topic}-${state.partition} at fetch offset ${fetchOffset} from ${broker}: ${(error as Error).message}; seek past it to go on`,
          { retriable: false, cause: error },
        ),
      );
      return;
    }
    const buffered = this.subscriptions.buffer(
      {
        state,
        batch: {
          topic: state.topic,
          partition: state.partition,
          records: decoded.records,
          highWatermark: partition.highWatermark,
          lastStableOffset: partition.lastStableOffset,
          logStartOffset: partition.logStartOffset,
        },
        nextOffset: decoded.nextOffset,
        nextEpoch: decoded.lastEpoch,
        bytes: data?.length ?? 0,
        sequence: this.#sequence++,
      },
      fetchOffset,
    );
    if (buffered) this.events.changed();
  }

  #partitionError(
    { state, fetchOffset }: FetchedPartition<K, V>,
    partition: ResponseOf<typeof Fetch>['responses'][number]['partitions'][number],
    endpoints: ResponseOf<typeof Fetch>['nodeEndpoints'],
    broker: string,
  ): void {
    const { errorCode } = partition;
    if (state.fetchPosition !== fetchOffset) return; // sought elsewhere meanwhile: this answer is moot
    if (errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      const strategy = this.options.autoOffsetReset;
      this.subscriptions.requestReset(state, strategy);
      if (strategy === 'none') this.events.failed(new OffsetOutOfRangeError(state.topic, state.partition, fetchOffset, broker));
      this.events.changed();
      return;
    }
    if (STALE_LEADER_ERRORS.has(errorCode)) {
      const hint = partition.currentLeader;
      if (hint.leaderId >= 0 && hint.leaderEpoch >= 0) {
        this.cluster.applyLeaderHint(state.topic, state.partition, hint.leaderId, hint.leaderEpoch, endpoints);
      } else {
        this.cluster.invalidate(state.topic);
        state.fetchBackoffUntil = Date.now() + this.cluster.options.retryBackoffMs;
        this.events.retryAt(state.fetchBackoffUntil);
      }
      return;
    }
    const error = protocolError(errorCode, { api: 'Fetch', broker, topic: state.topic, partition: state.partition });
    if (error.retriable) return this.#partitionFailed(state, error);
    // The application sees it; the partition is asked for again (an ACL may change) at the slowest retry pace.
    state.fetchBackoffUntil = Date.now() + this.cluster.options.retryBackoffMaxMs;
    this.events.retryAt(state.fetchBackoffUntil);
    this.events.failed(error);
  }

  /** A retriable failure of one partition backs it off; any other is the application's. */
  #partitionFailed(state: PartitionState<K, V>, error: KafkaClientError): void {
    if (!error.retriable) return this.events.failed(error);
    state.fetchBackoffUntil = Date.now() + this.cluster.options.retryBackoffMs;
    this.events.retryAt(state.fetchBackoffUntil);
  }

  /** The whole request failed: a retriable failure (connection lost, timeout) backs the broker off and refreshes its topics' leaders. */
  #fetchFailed(leader: number, partitions: readonly FetchedPartition<K, V>[], error: KafkaClientError): void {
    if (!error.retriable) return this.events.failed(error);
    for (const topic of new Set(partitions.map(({ state }) => state.topic))) this.cluster.invalidate(topic);
    const attempts = (this.#nodeBackoff.get(leader)?.attempts ?? 0) + 1;
    const until = Date.now() + backoffDelay(attempts, this.cluster.options);
    this.#nodeBackoff.set(leader, { attempts, until });
    this.events.retryAt(until);
  }
}
