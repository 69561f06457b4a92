// What every client (producer, consumer, admin) stands on: the bootstrap,
// the cluster's metadata kept fresh, one connection per broker, and the
// coordinators of groups and transactions.
// - Metadata is asked for the tracked topics (those anyone asked about), by
//   name, never creating them; concurrent refreshes share one request.
// - It is refreshed when a caller invalidates it (NOT_LEADER_OR_FOLLOWER,
//   unknown partitions), when a broker connection fails, and every
//   metadataMaxAgeMs.
// - A broker connection that closed is replaced by the next broker(nodeId).
// - Coordinators get connections of their own, apart from broker(nodeId)'s.
import { ErrorCode, Metadata, ZERO_UUID, type RequestOf } from '@kstream/protocol';
import { BrokerConnection } from '../connection/broker-connection.js';
import { KafkaClientError, KafkaClosedError, protocolError } from '../errors/kafka-client-error.js';
import { withRetry } from '../errors/retry.js';
import { resolveClientOptions, type ClientOptions, type ResolvedClientOptions } from '../options/client-options.js';
import { EMPTY_METADATA, keepingNewerLeaders, metadataFromResponse, withLeaderHint, type BrokerInfo, type ClusterMetadata, type TopicMetadata } from './cluster-metadata.js';
import { CoordinatorDirectory } from './coordinator-directory.js';
import { MetadataFreshness } from './metadata-freshness.js';
import type { CoordinatorAddress, CoordinatorKeyType } from './coordinator-lookup.js';

interface Refresh {
  /** Every topic rather than the tracked ones. */
  all: boolean;
  /** The tracked topics when it started. */
  topics: ReadonlySet<string>;
  /** The sequence number it started at: invalidations after it are not covered. */
  startedAt: number;
  promise: Promise<ClusterMetadata>;
}

export class ClusterClient {
  readonly options: ResolvedClientOptions;
  #metadata: ClusterMetadata = EMPTY_METADATA;
  private readonly tracked = new Set<string>();
  private readonly freshness = new MetadataFreshness();
  private refreshing: Refresh | undefined;
  private queuedRefresh: { all: boolean; promise: Promise<ClusterMetadata> } | undefined;
  private maxAgeTimer: NodeJS.Timeout | undefined;
  private bootstrapping: Promise<void> | undefined;
  // Coordinator traffic (heartbeats, commits) has connections of its own, as Kafka's consumer does: a broker answers a
  // connection's requests in order, so a heartbeat behind a Fetch long-poll on a shared one would wait out fetchMaxWaitMs.
  private readonly dataPool: ConnectionPool = { connections: new Map(), opening: new Map() };
  private readonly coordinatorPool: ConnectionPool = { connections: new Map(), opening: new Map() };
  // A connection to a bootstrap address, for when no broker the metadata names answers.
  private rebootstrap: Promise<BrokerConnection> | undefined;
  private readonly coordinators: CoordinatorDirectory;
  private closed = false;
  // Aborted by close(), so retry loops stop waiting at once.
  private readonly closing = new AbortController();

  constructor(options: ClientOptions | ResolvedClientOptions) {
    this.options = resolveClientOptions(options);
    this.coordinators = new CoordinatorDirectory({
      options: this.options,
      signal: this.closing.signal,
      anyBroker: () => this.anyBroker(),
      broker: (nodeId) => this.connectionIn(this.coordinatorPool, nodeId),
      learnBroker: (address) => this.learnBroker(address),
    });
  }

  /** The latest snapshot. */
  get metadata(): ClusterMetadata {
    return this.#metadata;
  }

  /** Bootstrap: asks the bootstrap addresses in turn for Metadata, retrying with backoff for up to requestTimeoutMs. Idempotent. */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    if (this.bootstrapping === undefined) {
      this.bootstrapping = this.bootstrap();
      this.bootstrapping.catch(() => {
        this.bootstrapping = undefined;
      });
    }
    return this.bootstrapping;
  }

  /**
   * Metadata for the tracked topics plus `topics` (tracked from now on), or
   * for every topic when `topics` is null (the snapshot then holds them all
   * until the next refresh). Calls while a request is in flight share it
   * when it covers them, else share the one request that follows it.
   */
  refreshMetadata(topics?: readonly string[] | null): Promise<ClusterMetadata> {
    if (this.closed) return Promise.reject(this.closedError());
    const all = topics === null;
    if (topics) for (const topic of topics) this.tracked.add(topic);
    if (this.queuedRefresh !== undefined) {
      this.queuedRefresh.all ||= all;
      return this.queuedRefresh.promise;
    }
    const current = this.refreshing;
    if (current === undefined) return this.startRefresh(all);
    if (this.covers(current, all, topics ?? [])) return current.promise;
    // The request in flight does not cover these topics: one more follows it, for everyone who asks meanwhile.
    const queued = {
      all,
      promise: current.promise.then(
        () => this.startQueuedRefresh(),
        () => this.startQueuedRefresh(),
      ),
    };
    this.queuedRefresh = queued;
    return queued.promise;
  }

  /** The topic's metadata, asked for when unknown or stale; UNKNOWN_TOPIC_OR_PARTITION (retriable) when the cluster does not have it. */
  async topic(name: string): Promise<TopicMetadata> {
    const fresh = this.freshTopic(name);
    if (fresh !== undefined) return fresh;
    await this.refreshMetadata([name]);
    return this.knownTopic(name);
  }

  /** The partition's leader, asked for when unknown, leaderless or stale; LEADER_NOT_AVAILABLE (retriable) while it has none. */
  async leaderFor(topic: string, partition: number): Promise<number> {
    let known = this.freshTopic(topic)?.partitions[partition];
    if (known === undefined || known.leader < 0) {
      await this.refreshMetadata([topic]);
      known = this.knownTopic(topic).partitions[partition];
    }
    if (known === undefined) throw protocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, { api: 'Metadata', topic, partition });
    if (known.leader < 0) throw protocolError(ErrorCode.LEADER_NOT_AVAILABLE, { api: 'Metadata', topic, partition });
    return known.leader;
  }

  /** Marks `topic` (or every topic) stale: the next leaderFor or topic refreshes it. */
  invalidate(topic?: string): void {
    this.freshness.invalidate(topic);
  }

  /** KIP-951: the new leader a Produce or Fetch error names, with its endpoints; applied only when its epoch is newer than the one known. */
  applyLeaderHint(
    topic: string,
    partition: number,
    leaderId: number,
    leaderEpoch: number,
    endpoints?: readonly { nodeId: number; host: string; port: number; rack?: string | null }[],
  ): void {
    this.#metadata = withLeaderHint(this.#metadata, topic, partition, leaderId, leaderEpoch, endpoints);
  }

  /** The connection to broker `nodeId`, opened if there is none or it closed. */
  broker(nodeId: number): Promise<BrokerConnection> {
    return this.connectionIn(this.dataPool, nodeId);
  }

  /**
   * The connected broker with the fewest pending requests (Kafka's least
   * loaded node), else the first known broker that accepts a connection,
   * else a bootstrap address (Kafka's metadata.recovery.strategy=rebootstrap):
   * brokers that all moved are found again through the addresses the client
   * started from.
   */
  async anyBroker(): Promise<BrokerConnection> {
    await this.connect();
    let leastLoaded: BrokerConnection | undefined;
    for (const connection of this.dataPool.connections.values()) {
      if (connection.connected && (leastLoaded === undefined || connection.pendingRequests < leastLoaded.pendingRequests)) leastLoaded = connection;
    }
    if (leastLoaded !== undefined) {
      this.dropRebootstrapConnection();
      return leastLoaded;
    }
    const nodeIds = shuffled([...this.#metadata.brokers.keys()]);
    let lastError: unknown;
    for (const nodeId of nodeIds) {
      try {
        return await this.broker(nodeId);
      } catch (error) {
        lastError = error;
      }
    }
    try {
      return await this.rebootstrapConnection();
    } catch (error) {
      throw lastError ?? error;
    }
  }

  /** The broker Metadata names as controller (KRaft clusters name a broker that forwards to it). */
  async controller(): Promise<BrokerConnection> {
    await this.connect();
    if (!this.#metadata.brokers.has(this.#metadata.controllerId)) await this.refreshMetadata();
    const { controllerId } = this.#metadata;
    if (!this.#metadata.brokers.has(controllerId)) {
      throw new KafkaClientError(`the cluster metadata names no live controller (controllerId ${controllerId})`, { retriable: true });
    }
    return this.broker(controllerId);
  }

  /** The coordinator of a group or transactional id, cached until invalidateCoordinator; COORDINATOR_NOT_AVAILABLE and the like are retried until requestTimeoutMs. */
  coordinator(keyType: CoordinatorKeyType, key: string): Promise<BrokerConnection> {
    return this.coordinators.coordinator(keyType, key);
  }

  invalidateCoordinator(keyType: CoordinatorKeyType, key: string): void {
    this.coordinators.invalidate(keyType, key);
  }

  /** Closes every connection and stops the background refresh; later calls throw KafkaClosedError. */
  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort(this.closedError());
    if (this.maxAgeTimer !== undefined) clearTimeout(this.maxAgeTimer);
    this.maxAgeTimer = undefined;
    this.dropRebootstrapConnection();
    const connections = [...this.dataPool.connections.values(), ...this.coordinatorPool.connections.values()];
    this.dataPool.connections.clear();
    this.coordinatorPool.connections.clear();
    await Promise.all(connections.map((c) => c.close()));
  }

  private async bootstrap(): Promise<void> {
    const addresses = this.options.bootstrap;
    const startedAt = this.freshness.begin();
    let next = 0;
    const metadata = await withRetry(
      async () => {
        // Each attempt walks every address, starting where the last one stopped.
        let lastError: unknown;
        for (let i = 0; i < addresses.length; i++) {
          const address = addresses[next]!;
          next = (next + 1) % addresses.length;
          const connection = new BrokerConnection({ ...address, nodeId: null }, this.options);
          try {
            await connection.connect();
            return await this.fetchMetadata(connection, [...this.tracked]);
          } catch (error) {
            lastError = error;
            this.options.logger.debug(`bootstrap: ${connection.label} did not answer Metadata`, { error: String(error) });
          } finally {
            void connection.close();
          }
        }
        throw lastError;
      },
      {
        ...this.options,
        deadline: Date.now() + this.options.requestTimeoutMs,
        signal: this.closing.signal,
        description: `bootstrap from ${addresses.map((a) => `${a.host}:${a.port}`).join(',')}`,
      },
    );
    if (this.closed) throw this.closedError();
    this.installMetadata(metadata, startedAt);
  }

  /** Whether the refresh in flight answers for `topics`: it asks for them and started after they were last invalidated. */
  private covers(refresh: Refresh, all: boolean, topics: readonly string[]): boolean {
    if (all && !refresh.all) return false;
    if (this.freshness.invalidatedSince(refresh.startedAt)) return false;
    for (const topic of topics) {
      if (!refresh.all && !refresh.topics.has(topic)) return false;
      if (this.freshness.invalidatedSince(refresh.startedAt, topic)) return false;
    }
    return true;
  }

  private startQueuedRefresh(): Promise<ClusterMetadata> {
    const queued = this.queuedRefresh!;
    this.queuedRefresh = undefined;
    return this.startRefresh(queued.all);
  }

  private startRefresh(all: boolean): Promise<ClusterMetadata> {
    const startedAt = this.freshness.begin();
    const topics = new Set(this.tracked);
    const names = all ? null : [...topics];
    const promise = withRetry(async () => this.fetchMetadata(await this.anyBroker(), names), {
      ...this.options,
      deadline: Date.now() + this.options.requestTimeoutMs,
      signal: this.closing.signal,
      description: `Metadata for ${names === null ? 'every topic' : names.length === 0 ? 'the brokers' : names.join(', ')}`,
    }).then((metadata) => (this.closed ? metadata : this.installMetadata(metadata, startedAt)));
    const refresh: Refresh = { all, topics, startedAt, promise };
    this.refreshing = refresh;
    const done = () => {
      if (this.refreshing === refresh) this.refreshing = undefined;
    };
    promise.then(done, done);
    return promise;
  }

  private async fetchMetadata(connection: BrokerConnection, topics: readonly string[] | null): Promise<ClusterMetadata> {
    const version = connection.version(Metadata);
    const request: RequestOf<typeof Metadata> = {
      topics: topics === null ? null : topics.map((name) => ({ topicId: ZERO_UUID, name })),
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    };
    // v0 cannot say "every topic" with null: its empty list means every topic.
    if (version === 0 && topics === null) request.topics = [];
    const response = await connection.request(Metadata, request, { version });
    return metadataFromResponse(response, Date.now());
  }

  /** Makes `metadata` the snapshot (keeping newer leaders) and returns what was installed. */
  private installMetadata(metadata: ClusterMetadata, startedAt: number): ClusterMetadata {
    this.#metadata = keepingNewerLeaders(metadata, this.#metadata);
    for (const name of metadata.topics.keys()) this.freshness.refreshed(name, startedAt);
    this.scheduleMaxAgeRefresh();
    return this.#metadata;
  }

  private scheduleMaxAgeRefresh(): void {
    if (this.maxAgeTimer !== undefined) clearTimeout(this.maxAgeTimer);
    this.maxAgeTimer = undefined;
    if (this.options.metadataMaxAgeMs === 0 || this.closed) return;
    this.maxAgeTimer = setTimeout(() => {
      this.maxAgeTimer = undefined;
      this.refreshMetadata().catch((error) => this.options.logger.warn('background metadata refresh failed', { error: String(error) }));
    }, this.options.metadataMaxAgeMs);
    this.maxAgeTimer.unref();
  }

  /**
   * The topic's metadata if it is known without error, tracked, not
   * invalidated and younger than metadataMaxAgeMs. An error (the topic does
   * not exist yet, its leaders are being elected) is asked again every time:
   * callers back off between asks.
   */
  private freshTopic(name: string): TopicMetadata | undefined {
    const topic = this.#metadata.topics.get(name);
    if (topic === undefined || topic.errorCode !== 0 || !this.tracked.has(name)) return undefined;
    if (!this.freshness.isFresh(name)) return undefined;
    if (Date.now() - this.#metadata.fetchedAt > this.options.metadataMaxAgeMs) return undefined;
    return topic;
  }

  /** The topic as the snapshot has it; its error, or UNKNOWN_TOPIC_OR_PARTITION when absent, is thrown. */
  private knownTopic(name: string): TopicMetadata {
    const topic = this.#metadata.topics.get(name);
    if (topic === undefined) throw protocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, { api: 'Metadata', topic: name });
    if (topic.errorCode !== 0) throw protocolError(topic.errorCode, { api: 'Metadata', topic: name });
    return topic;
  }

  private connectionIn(pool: ConnectionPool, nodeId: number): Promise<BrokerConnection> {
    const existing = pool.connections.get(nodeId);
    if (existing?.connected) return Promise.resolve(existing);
    let opening = pool.opening.get(nodeId);
    if (opening === undefined) {
      opening = this.openBroker(pool, nodeId).finally(() => pool.opening.delete(nodeId));
      pool.opening.set(nodeId, opening);
    }
    return opening;
  }

  private async openBroker(pool: ConnectionPool, nodeId: number): Promise<BrokerConnection> {
    await this.connect();
    let info: BrokerInfo | undefined = this.#metadata.brokers.get(nodeId);
    if (info === undefined) {
      await this.refreshMetadata();
      info = this.#metadata.brokers.get(nodeId);
    }
    if (info === undefined) {
      throw new KafkaClientError(`broker ${nodeId} is not in the cluster metadata (brokers ${[...this.#metadata.brokers.keys()].join(', ')})`, {
        retriable: true,
      });
    }
    const connection = new BrokerConnection({ host: info.host, port: info.port, nodeId }, this.options);
    connection.onClose((error) => {
      if (pool.connections.get(nodeId) === connection) pool.connections.delete(nodeId);
      if (error === undefined || this.closed) return;
      this.options.logger.info(`connection to ${connection.label} closed`, { error: error.message });
      // A broker that went away may have led partitions: their leaders are to be asked again.
      this.invalidate();
    });
    try {
      await connection.connect();
    } catch (error) {
      this.invalidate();
      throw error;
    }
    if (this.closed) {
      await connection.close();
      throw this.closedError();
    }
    pool.connections.set(nodeId, connection);
    return connection;
  }

  /** A connection to the first bootstrap address that accepts one, shared until it closes. */
  private rebootstrapConnection(): Promise<BrokerConnection> {
    if (this.rebootstrap === undefined) {
      const opening = this.connectToABootstrapAddress();
      const forget = () => {
        if (this.rebootstrap === opening) this.rebootstrap = undefined;
      };
      this.rebootstrap = opening;
      opening.then((connection) => connection.onClose(forget), forget);
    }
    return this.rebootstrap;
  }

  private async connectToABootstrapAddress(): Promise<BrokerConnection> {
    let lastError: unknown;
    for (const address of this.options.bootstrap) {
      const connection = new BrokerConnection({ ...address, nodeId: null }, this.options);
      try {
        await connection.connect();
      } catch (error) {
        lastError = error;
        continue;
      }
      if (this.closed) {
        await connection.close();
        throw this.closedError();
      }
      this.options.logger.info(`no broker of the cluster metadata answers; asking bootstrap address ${connection.label}`);
      return connection;
    }
    throw lastError;
  }

  private dropRebootstrapConnection(): void {
    const connection = this.rebootstrap;
    if (connection === undefined) return;
    this.rebootstrap = undefined;
    connection.then(
      (c) => c.close(),
      () => undefined,
    );
  }

  /** Adds or updates a broker's endpoint, as FindCoordinator gave it, until the next Metadata. */
  private learnBroker(address: CoordinatorAddress): void {
    const known = this.#metadata.brokers.get(address.nodeId);
    if (known !== undefined && known.host === address.host && known.port === address.port) return;
    const brokers = new Map(this.#metadata.brokers);
    brokers.set(address.nodeId, { ...address, rack: known?.rack ?? null });
    this.#metadata = { ...this.#metadata, brokers };
  }

  private closedError(): KafkaClosedError {
    return new KafkaClosedError('the cluster client is closed');
  }
}

/** One connection per broker for one kind of traffic. */
interface ConnectionPool {
  readonly connections: Map<number, BrokerConnection>;
  readonly opening: Map<number, Promise<BrokerConnection>>;
}

function shuffled<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
