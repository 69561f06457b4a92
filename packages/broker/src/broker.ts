import type { Socket } from 'node:net';
import { ActorError } from '@kstream/actor';
import type { Logger } from '@kstream/actor';
import { GROUP_METADATA_TOPIC, TRANSACTION_STATE_TOPIC, unpackMetadataBatch } from '@kstream/metadata';
import type { BrokerConfigProps, BrokerConfigValues, ControllerToBroker, MetadataUpdateMessage } from '@kstream/metadata';
import { ErrorCode, errorInfo } from '@kstream/protocol';
import { BrokerListener } from './broker-listener.js';
import { ControllerSession } from './controller-session.js';
import { startBrokerGroupCoordinator } from './groups/broker-group-coordinator.js';
import { electLedCoordinatorPartitions, resignLedCoordinatorPartitions } from './groups/coordinator-elections.js';
import type { BrokerServices } from './handlers/handler.js';
import { brokerHandlers } from './handlers/registry.js';
import type { ControllerChannel, NodeChannel } from './messages.js';
import { BrokerMetadata } from './metadata/broker-metadata.js';
import { BrokerMetrics } from './metrics/broker-metrics.js';
import { ClientConnection } from './network/client-connection.js';
import { FrameBufferPool } from './network/frame-buffer-pool.js';
import { RequestMemoryPool } from './network/request-memory-pool.js';
import { syncReplicaManager } from './partitions/metadata-sync.js';
import { logOpenFiles, processOpenFileLimit } from './partitions/log-open-files.js';
import { ReplicaManager } from './partitions/replica-manager.js';
import { replicaPeers, servePeers } from './partitions/replica-peers.js';
import type { PeerLinks } from './peers/peer-links.js';
import { submitPoolTask } from './pool-tasks.js';
import type { PoolTaskInput, PoolTaskName, PoolTaskOutput } from './pool-tasks.js';
import { startBrokerTransactionCoordinator } from './txn/broker-transaction-coordinator.js';
import { ProducerIdManager } from './txn/producer-id-manager.js';
import { notCoordinating } from './txn/txn-verification.js';

/**
 * How long a stopping broker waits for the controller to move its
 * leaderships; within the node's own bound on a broker's shutdown (10 s).
 */
const CONTROLLED_SHUTDOWN_TIMEOUT_MS = 5_000;

/**
 * The idle frame buffers a broker keeps for its next large Produce requests:
 * sixteen of librdkafka's 1 MB batches.
 */
const FRAME_BUFFERS_IDLE_BYTES = 16 * 1024 * 1024;

/** How long an ISR change waits for the controller's answer before it is sent again. */
const ALTER_PARTITION_TIMEOUT_MS = 5_000;

/** What a broker worker is started with. */
export interface BrokerConfig {
  readonly brokerId: number;
  readonly host: string;
  /** The listener port; 0 lets the OS pick one on first start. */
  readonly port: number;
  /** `<data-dir>/broker-<id>`, holding meta.properties and the hosted partitions. */
  readonly logDir: string;
  readonly heartbeatIntervalMs: number;
  /** How long the controller waits for a heartbeat before fencing (the node's; else the broker config broker.session.timeout.ms). */
  readonly sessionTimeoutMs?: number;
  /** The node's validated broker configs (`--config`, `--config-file`); absent keys take their defaults. */
  readonly staticConfig?: BrokerConfigProps;
  /** How many brokers share this process and its open-file limit (the node's broker count); 1 if absent. */
  readonly brokersInProcess?: number;
}

/**
 * One broker: its listener and client connections, its registration with the
 * controller and the heartbeats that keep it alive there, its replica of the
 * cluster metadata, and the services the request handlers use. Everything
 * runs on the broker worker's single event loop.
 */
export class Broker {
  readonly #config: BrokerConfig;
  readonly #controller: ControllerChannel;
  readonly #node: NodeChannel;
  readonly #peers: PeerLinks;
  readonly #logger: Logger;
  readonly #listener: BrokerListener;
  readonly #metadata: BrokerMetadata;
  readonly #metrics: BrokerMetrics;
  /** What this broker's connections may hold of requests being read (queued.max.request.bytes). */
  readonly #requestMemory: RequestMemoryPool;
  readonly #frameBuffers = new FrameBufferPool(FRAME_BUFFERS_IDLE_BYTES);
  /** Set by start, once the hosted partitions are open. */
  #services: BrokerServices | undefined;
  /** Set by start: producer id blocks from the controller. */
  #producerIds: ProducerIdManager | undefined;
  #brokerEpoch = -1;
  /** Set by start: this broker's own count of the controller's session timeout. */
  #session: ControllerSession | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #stopping = false;
  /** Set while a registration is in flight: metadata pushed meanwhile may precede the snapshot it brings. */
  #registering: Promise<void> | undefined;
  /** Connections accepted before the first registration, served once metadata is loaded. */
  #waitingConnections: { socket: Socket; connectionId: string }[] | undefined = [];

  constructor(config: BrokerConfig, channels: { controller: ControllerChannel; node: NodeChannel; peers: PeerLinks }, logger: Logger) {
    this.#config = config;
    this.#controller = channels.controller;
    this.#node = channels.node;
    this.#peers = channels.peers;
    this.#logger = logger;
    this.#metadata = new BrokerMetadata(config.brokerId, config.staticConfig ?? {});
    this.#metrics = new BrokerMetrics(config.brokerId);
    this.#requestMemory = new RequestMemoryPool(this.#metadata.brokerConfig['queued.max.request.bytes']);
    this.#listener = new BrokerListener({
      brokerId: config.brokerId,
      host: config.host,
      port: config.port,
      logger,
      onConnection: (socket, connectionId) => this.#onConnection(socket, connectionId),
    });
  }

  get brokerId(): number {
    return this.#config.brokerId;
  }

  /** This broker's Prometheus metrics, which the node gathers at each scrape. */
  get metrics(): BrokerMetrics {
    return this.#metrics;
  }

  /** The services this broker's request handlers are given; from start on. */
  get services(): BrokerServices {
    if (this.#services === undefined) throw new Error(`broker ${this.brokerId} is not started`);
    return this.#services;
  }

  /**
   * Opens the hosted partitions, listens, registers with the controller
   * (whose snapshot tells the partitions what to host) and starts
   * heartbeating; resolves with the bound port and broker epoch.
   */
  async start(): Promise<{ port: number; brokerEpoch: number }> {
    const metadata = this.#metadata;
    const config = metadata.brokerConfig;
    const partitions = await ReplicaManager.open({
      brokerId: this.brokerId,
      brokerEpoch: () => this.#brokerEpoch,
      logDir: this.#config.logDir,
      openFiles: logOpenFiles(config['log.open.files.max'], this.#config.brokersInProcess ?? 1, processOpenFileLimit()),
      logger: this.#logger,
      retentionCheckIntervalMs: config['log.retention.check.interval.ms'],
      highWatermarkCheckpointIntervalMs: config['replica.high.watermark.checkpoint.interval.ms'],
      fetchSessionCachePartitions: config['max.incremental.fetch.session.cache.partitions'],
      replicaLagTimeMaxMs: config['replica.lag.time.max.ms'],
      sendAlterPartition: (request) => this.#controller.ask(request, { timeoutMs: ALTER_PARTITION_TIMEOUT_MS }),
      traffic: this.#metrics.traffic,
      peers: replicaPeers(this.#peers),
      replicaFetch: {
        maxWaitMs: config['replica.fetch.wait.max.ms'],
        partitionMaxBytes: config['replica.fetch.max.bytes'],
        maxBytes: config['replica.fetch.response.max.bytes'],
        backoffMs: config['replica.fetch.backoff.ms'],
        requestTimeoutMs: config['replica.socket.timeout.ms'],
      },
      logCleaner: {
        config: {
          enable: config['log.cleaner.enable'],
          backoffMs: config['log.cleaner.backoff.ms'],
          threads: config['log.cleaner.threads'],
          dedupeBufferSize: config['log.cleaner.dedupe.buffer.size'],
          loadFactor: config['log.cleaner.io.buffer.load.factor'],
          ioMaxBytesPerSecond: config['log.cleaner.io.max.bytes.per.second'],
        },
        execute: (job) => this.runPoolTask('cleanLog', job),
      },
      producerIdExpirationCheckIntervalMs: config['producer.id.expiration.check.interval.ms'],
      producerIdExpirationMs: () => metadata.brokerConfig['producer.id.expiration.ms'],
    });
    servePeers(
      this.#peers,
      partitions,
      () => metadata.brokerConfig['offsets.commit.timeout.ms'],
      // Its transaction coordinator starts just below; until the broker serves, a peer's verification is retried.
      (request) => this.#services?.transactions.verifyPartitions(request) ?? notCoordinating(request),
    );
    // Before metadata reaches the partitions, so they hear of every __consumer_offsets and __transaction_state leadership.
    const groups = startBrokerGroupCoordinator({ brokerId: this.brokerId, metadata, partitions, logger: this.#logger });
    const producerIds = (this.#producerIds = new ProducerIdManager({
      brokerId: this.brokerId,
      brokerEpoch: () => this.#brokerEpoch,
      controller: this.#controller,
      logger: this.#logger,
    }));
    const transactions = startBrokerTransactionCoordinator({
      brokerId: this.brokerId,
      metadata,
      partitions,
      peers: this.#peers,
      producerIds,
      logger: this.#logger,
    });
    const sessionTimeoutMs = this.#config.sessionTimeoutMs ?? config['broker.session.timeout.ms'];
    this.#session = new ControllerSession({
      timeoutMs: sessionTimeoutMs,
      onLapse: (silentForMs) => {
        this.#logger.warn(
          `broker ${this.brokerId}: no heartbeat acknowledged by the controller for ${silentForMs} ms ` +
            `(broker.session.timeout.ms=${sessionTimeoutMs}); it may have fenced this broker, so its group and transaction ` +
            'coordinators resign the __consumer_offsets and __transaction_state partitions it leads until the controller answers again',
        );
        resignLedCoordinatorPartitions(partitions, GROUP_METADATA_TOPIC, groups);
        resignLedCoordinatorPartitions(partitions, TRANSACTION_STATE_TOPIC, transactions);
      },
      onRestore: () => {
        this.#logger.info(`broker ${this.brokerId}: the controller answers again; its group and transaction coordinators serve the partitions it leads`);
        electLedCoordinatorPartitions(partitions, GROUP_METADATA_TOPIC, groups);
        electLedCoordinatorPartitions(partitions, TRANSACTION_STATE_TOPIC, transactions);
      },
    });
    syncReplicaManager(metadata, partitions, this.#logger);
    this.#services = {
      brokerId: this.brokerId,
      // Read per request: dynamic broker configs change with metadata.
      get config(): BrokerConfigValues {
        return metadata.brokerConfig;
      },
      metadata,
      controller: this.#controller,
      partitions,
      peers: this.#peers,
      groups,
      transactions,
      producerIds,
      logger: this.#logger,
      metrics: this.#metrics,
    };
    this.#metrics.watch({ partitions, groups });
    const port = await this.#listener.listen();
    await this.#register();
    for (const { socket, connectionId } of this.#waitingConnections ?? []) this.#serve(socket, connectionId);
    this.#waitingConnections = undefined;
    this.#scheduleHeartbeat();
    // Ready means ready: the partitions the registration's metadata gave this
    // broker have opened their logs and taken their roles before it reports
    // started, so a client's first request is not held behind a restart's
    // log recovery (Kafka loads its logs before its broker runs). Heartbeats
    // go on meanwhile.
    await partitions.partitionsSettled();
    this.#logger.info(`broker ${this.brokerId}: listening on ${this.#config.host}:${port}`, {
      brokerEpoch: this.#brokerEpoch,
      logDir: this.#config.logDir,
    });
    return { port, brokerEpoch: this.#brokerEpoch };
  }

  /** Runs a CPU-heavy task on the node's pool, off this broker's event loop. */
  runPoolTask<N extends PoolTaskName>(task: N, input: PoolTaskInput<N>): Promise<PoolTaskOutput<N>> {
    return submitPoolTask(this.#node, task, input);
  }

  /** What the controller tells this broker: metadata records to apply. */
  handleControllerMessage(msg: ControllerToBroker): void {
    switch (msg.type) {
      case 'MetadataUpdate':
        if (!this.#applyUpdate(msg) && this.#registering === undefined && !this.#stopping) {
          // Records are missing (this broker was not sent some): only a
          // registration's snapshot can bring the cache up to date.
          this.#logger.warn(
            `broker ${this.brokerId}: metadata update up to offset ${msg.lastOffset} skips records after ${this.#metadata.appliedOffset}; registering again for a snapshot`,
          );
          void this.#register().catch((error: unknown) => this.#logger.error(`broker ${this.brokerId}: registration for a metadata snapshot failed`, { error }));
        }
        return;
      default:
        msg.type satisfies never;
    }
  }

  /** Applies an update's records unless the snapshot already holds them; false when records before them are missing. */
  #applyUpdate({ batch, lastOffset }: MetadataUpdateMessage): boolean {
    // A batch the snapshot covers is not decoded.
    if (lastOffset <= this.#metadata.appliedOffset) return true;
    const records = unpackMetadataBatch(batch, `metadata update up to offset ${lastOffset}`, 0);
    return this.#metadata.applyUpdate(records, lastOffset);
  }

  /**
   * Stops heartbeating, has the controller move this broker's leaderships
   * away (controlled shutdown), closes the listener and every connection,
   * the group coordinator (its timers and waiting joins), the transaction
   * coordinator (its timers and marker retries) and the producer id
   * manager, then the hosted partitions.
   */
  async shutdown(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#heartbeat);
    this.#session?.close();
    await this.#controlledShutdown();
    await this.#listener.close();
    this.#services?.groups.close();
    this.#services?.transactions.close();
    this.#producerIds?.close();
    await this.#services?.partitions.close();
    this.#metrics.close();
    this.#logger.info(`broker ${this.brokerId}: shut down`);
  }

  /**
   * Kafka's controlled shutdown: while this broker still serves, the
   * controller moves its leaderships to other in-sync replicas, so clients
   * see only retriable errors. A failure is logged and the stop goes on: the
   * worker's exit fences the broker all the same.
   */
  async #controlledShutdown(): Promise<void> {
    const { brokerId } = this.#config;
    if (this.#brokerEpoch < 0) return;
    try {
      const reply = await this.#controller.ask({ type: 'ControlledShutdown', brokerId, brokerEpoch: this.#brokerEpoch }, { timeoutMs: CONTROLLED_SHUTDOWN_TIMEOUT_MS });
      if (reply.errorCode !== ErrorCode.NONE) {
        this.#logger.warn(`broker ${brokerId}: controlled shutdown refused with ${errorInfo(reply.errorCode).name}; stopping all the same`);
      } else if (reply.remainingLeaderships > 0) {
        // Routine when the whole node stops or a partition has one replica: the partitions are offline until a replica returns.
        this.#logger.info(`broker ${brokerId}: stopping while still leading ${reply.remainingLeaderships} partition(s) that have no other live in-sync replica`);
      }
    } catch (error) {
      this.#logger.warn(`broker ${brokerId}: controlled shutdown failed; stopping all the same`, { error });
    }
  }

  #register(): Promise<void> {
    this.#registering ??= this.#registerOnce().finally(() => (this.#registering = undefined));
    return this.#registering;
  }

  async #registerOnce(): Promise<void> {
    const { brokerId, host } = this.#config;
    const sentAt = Date.now();
    const reply = await this.#controller.ask({ type: 'BrokerRegistration', brokerId, host, port: this.#listener.port });
    this.#brokerEpoch = reply.brokerEpoch;
    this.#metadata.loadSnapshot(unpackMetadataBatch(reply.metadata.batch, 'registration snapshot', 0), reply.metadata.lastOffset);
    this.#session?.registered(sentAt);
  }
  #scheduleHeartbeat(): void {
    if (this.#stopping) return;
    this.#heartbeat = setTimeout(() => void this.#sendHeartbeat().finally(() => this.#scheduleHeartbeat()), this.#config.heartbeatIntervalMs);
  }

  async #sendHeartbeat(): Promise<void> {
    const { brokerId, heartbeatIntervalMs } = this.#config;
    try {
      const sentAt = Date.now();
      const { isFenced } = await this.#controller.ask({ type: 'BrokerHeartbeat', brokerId, brokerEpoch: this.#brokerEpoch }, { timeoutMs: heartbeatIntervalMs * 2 });
      if (!isFenced) this.#session?.acknowledged(sentAt);
      if (isFenced && !this.#stopping) {
        this.#logger.warn(`broker ${brokerId}: the controller fenced epoch ${this.#brokerEpoch}; registering again`);
        await this.#register();
      }
    } catch (err) {
      // A missed heartbeat is survivable: the next one may arrive in time.
      if (!(err instanceof ActorError && err.code === 'CLOSED')) {
        this.#logger.warn(`broker ${brokerId}: heartbeat to the controller failed`, { error: err });
      }
    }
  }

  #onConnection(socket: Socket, connectionId: string): void {
    this.#metrics.connections.inc();
    socket.once('close', () => this.#metrics.connections.dec());
    if (this.#waitingConnections !== undefined) {
      // Requests are read once the broker knows the cluster's metadata.
      socket.pause();
      this.#waitingConnections.push({ socket, connectionId });
      return;
    }
    this.#serve(socket, connectionId);
  }

  #serve(socket: Socket, connectionId: string): void {
    if (socket.destroyed) return;
    const config = this.#metadata.brokerConfig;
    new ClientConnection({
      socket,
      connectionId,
      broker: this.services,
      handlers: brokerHandlers,
      maxRequestBytes: config['socket.request.max.bytes'],
      idleTimeoutMs: config['connections.max.idle.ms'],
      requestMemory: this.#requestMemory,
      arrivalTimeoutMs: config['request.arrival.timeout.ms'],
      frameBuffers: this.#frameBuffers,
    });
    socket.resume();
  }
}
