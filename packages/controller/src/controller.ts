import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Mailbox, stderrLogger, unknownMessage } from '@kstream/actor';
import type { Endpoint, Logger } from '@kstream/actor';
import type { AdminContext, AdminDecision } from './admin-context.js';
import { eachSnapshotRecord, MetadataState, packAdminReply, packMetadataBatch, UNPACKED_REPLY_TYPES, resolveBrokerConfig, validateBrokerConfig } from '@kstream/metadata';
import type {
  AllocateProducerIdsReply,
  AllocateProducerIdsRequest,
  AlterPartitionReassignmentsReply,
  AlterPartitionReassignmentsRequest,
  AlterPartitionReply,
  AlterPartitionRequest,
  BrokerConfigProps,
  BrokerHeartbeatReply,
  BrokerHeartbeatRequest,
  BrokerRegistration,
  BrokerRegistrationReply,
  BrokerRegistrationRequest,
  ControlledShutdownReply,
  ControlledShutdownRequest,
  ControllerReplies,
  ControllerRequest,
  ElectLeadersReply,
  ElectLeadersRequest,
  MetadataRecord,
} from '@kstream/metadata';
import { ErrorCode } from '@kstream/protocol';
import { BrokerLiveness } from './broker-liveness.js';
import { alterConfigs, incrementalAlterConfigs } from './controller-configs.js';
import { electLeaders } from './controller-elect-leaders.js';
import { alterPartition } from './controller-isr.js';
import { allocateProducerIds } from './controller-producer-ids.js';
import { controlledShutdown } from './controller-shutdown.js';
import { electionContext } from './election-context.js';
import type { EligibilityOverride } from './election-context.js';
import { preferredLeaderRebalance } from './leader-rebalance.js';
import { logElections, logIsrChanges, logReassignments } from './partition-change-log.js';
import { alterPartitionReassignments, listPartitionReassignments } from './controller-reassignments.js';
import { fenceChanges, leaderlessElections, registrationChanges } from './partition-elections.js';
import type { PartitionChange } from './partition-elections.js';
import { createPartitions, createTopics, deleteTopics } from './controller-topics.js';
import { MetadataLog } from './metadata-log.js';
import { compactMetadataLog } from './metadata-log-compaction.js';
import { transferPackedReply } from './packed-reply-transfer.js';
import type { ControllerBrokerChannel } from './controller-channel.js';

export interface ControllerOptions {
  /** `<data-dir>/controller`; the metadata log is `metadata.log` inside it. */
  readonly dir: string;
  /** A broker not heard from for this long is fenced (Kafka's broker.session.timeout.ms). */
  readonly sessionTimeoutMs?: number;
  /**
   * The node's static broker config (its start options): the defaults of new
   * topics and of topic configs. Validated on open; a bad key or value throws.
   */
  readonly staticBrokerConfig?: BrokerConfigProps;
  /**
   * How often leaderships are checked for moving back to their preferred
   * replicas; leader.imbalance.check.interval.seconds of the static config
   * unless given (tests want less than its least value, 1 s).
   */
  readonly leaderImbalanceCheckIntervalMs?: number;
  readonly logger?: Logger;
}

export interface ControllerDescription {
  readonly clusterId: string;
  /** Offset the next metadata record will get: how many changes the log holds. */
  readonly metadataOffset: number;
  readonly brokers: readonly BrokerRegistration[];
}

export const DEFAULT_SESSION_TIMEOUT_MS = 9_000;

interface BrokerChannel {
  readonly mailbox: ControllerBrokerChannel;
  /** The broker holds a snapshot from its registration on this channel, so it gets every later change pushed. */
  synced: boolean;
}

/**
 * The controller actor: the single writer of cluster metadata. Each change is
 * decided here, appended to the metadata log, applied to the state, and
 * pushed to every registered broker, one change at a time. Brokers reach it
 * over one channel each (`attachBroker`); the node calls it directly on the
 * main thread it runs on.
 */
export class Controller {
  readonly #log: MetadataLog;
  readonly #state: MetadataState;
  readonly #liveness: BrokerLiveness;
  readonly #staticConfig: BrokerConfigProps;
  readonly #logger: Logger;
  readonly #channels = new Map<number, BrokerChannel>();
  readonly #livenessTimer: NodeJS.Timeout;
  #livenessCheck: NodeJS.Immediate | undefined;
  readonly #rebalanceTimer: NodeJS.Timeout;
  // Brokers in controlled shutdown, in memory like liveness: the mark lives
  // as long as the incarnation (its registration clears it, its exit fences
  // it), and brokers need not know it, only the leaderships it moved.
  readonly #shuttingDown = new Set<number>();
  // Every change waits for the previous one, so records are decided against
  // the state all earlier records produced.
  #serial: Promise<unknown> = Promise.resolve();
  #compactionQueued = false;
  #closing = false;

  private constructor(log: MetadataLog, state: MetadataState, sessionTimeoutMs: number, staticConfig: BrokerConfigProps, rebalanceIntervalMs: number, logger: Logger) {
    this.#log = log;
    this.#state = state;
    this.#staticConfig = staticConfig;
    this.#logger = logger;
    this.#liveness = new BrokerLiveness(sessionTimeoutMs);
    // Brokers alive in the log get one session to show up again, as after a
    // controller failover in Kafka.
    const now = performance.now();
    for (const broker of state.brokers.values()) if (!broker.fenced) this.#liveness.touch(broker.brokerId, now);
    // Judged after the loop's poll phase: when this thread was held (the
    // embedding program's work, a long GC), the heartbeats that arrived
    // meanwhile wait in the brokers' ports, and timers run before them.
    this.#livenessTimer = setInterval(
      () => {
        this.#livenessCheck ??= setImmediate(() => {
          this.#livenessCheck = undefined;
          this.#fenceExpired();
        });
      },
      Math.max(10, Math.min(1000, sessionTimeoutMs / 4)),
    );
    this.#livenessTimer.unref();
    this.#rebalanceTimer = setInterval(() => this.#rebalanceLeaders(), rebalanceIntervalMs);
    this.#rebalanceTimer.unref();
  }

  /** Opens the metadata log in `options.dir`, replays it, and starts a new cluster id if the log is empty. */
  static async open(options: ControllerOptions): Promise<Controller> {
    const logger = options.logger ?? stderrLogger;
    const staticConfig = Object.freeze({ ...validateBrokerConfig(options.staticBrokerConfig ?? {}) });
    const state = new MetadataState();
    const configured = resolveBrokerConfig(staticConfig);
    const bytesBetweenSnapshots = configured['metadata.log.max.record.bytes.between.snapshots'];
    const log = await MetadataLog.open(join(options.dir, 'metadata.log'), (record) => state.apply(record), logger, { bytesBetweenSnapshots });
    const sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    const rebalanceIntervalMs = options.leaderImbalanceCheckIntervalMs ?? configured['leader.imbalance.check.interval.seconds'] * 1000;
    const controller = new Controller(log, state, sessionTimeoutMs, staticConfig, rebalanceIntervalMs, logger);
    if (state.clusterId === undefined) {
      await controller.#commit([{ type: 'ClusterId', clusterId: newClusterId() }]);
    }
    return controller;
  }

  get clusterId(): string {
    return this.#state.clusterId!;
  }

  /** The current metadata. Read it only: records reach it through the controller alone. */
  get metadata(): MetadataState {
    return this.#state;
  }

  /** The static broker config the controller was opened with. */
  get staticBrokerConfig(): BrokerConfigProps {
    return this.#staticConfig;
  }

  /**
   * Serves broker `brokerId`'s requests arriving on `port`, replacing the
   * channel of an earlier incarnation. Metadata changes are pushed on it
   * once the broker has registered on it; admin replies cross it packed.
   */
  attachBroker(brokerId: number, port: Endpoint): void {
    this.#channels.get(brokerId)?.mailbox.close();
    const mailbox: ControllerBrokerChannel = new Mailbox(port, {
      name: `broker-${brokerId}`,
      logger: this.#logger,
      handle: (msg: ControllerRequest) => {
        if ('brokerId' in msg && msg.brokerId !== brokerId) {
          throw new Error(`broker ${brokerId}'s channel carried a ${msg.type} for broker ${msg.brokerId}`);
        }
        const reply = this.handle(msg, brokerId);
        // Packed in turns here, not encoded whole by the mailbox: a reply may list 100000 topics.
        return (UNPACKED_REPLY_TYPES as readonly string[]).includes(msg.type) ? reply : reply.then(packAdminReply).then(transferPackedReply);
      },
    });
    this.#channels.set(brokerId, { mailbox, synced: false });
  }

  /**
   * The broker's worker is gone (it crashed or was stopped): stop serving its
   * channel and fence it now rather than after its session times out.
   */
  async detachBroker(brokerId: number, reason: string): Promise<void> {
    this.#channels.get(brokerId)?.mailbox.close();
    this.#channels.delete(brokerId);
    this.#liveness.forget(brokerId);
    const brokerEpoch = this.#state.broker(brokerId)?.brokerEpoch;
    if (brokerEpoch !== undefined) await this.#serialize(() => this.#fence(brokerId, brokerEpoch, reason));
  }

  /**
   * Handles one request, after every change before it (a heartbeat at
   * once, against the committed state). `fromBroker` is the
   * broker whose channel carried it, if any: a registration on a channel
   * makes the controller push later changes on it.
   */
  handle<M extends ControllerRequest>(msg: M, fromBroker?: number): Promise<ControllerReplies[M['type']]>;
  handle(msg: ControllerRequest, fromBroker?: number): Promise<ControllerReplies[ControllerRequest['type']]> {
    // A heartbeat counts, and is answered, when it arrives, not when the
    // changes queued before it (elections, fsyncs of the metadata log) let
    // it through: the controller's own slowness is not the broker's (Kafka's
    // controller, too, notes a heartbeat's contact outside its event queue).
    // The answer reads the committed state only.
    if (msg.type === 'BrokerHeartbeat') return Promise.resolve(this.#heartbeat(msg));
    return this.#serialize(async () => {
      switch (msg.type) {
        case 'BrokerRegistration':
          return this.#register(msg, fromBroker === msg.brokerId ? this.#channels.get(fromBroker) : undefined);
        case 'AlterPartition':
          return this.#alterPartition(msg);
        case 'ControlledShutdown':
          return this.#controlledShutdown(msg);
        case 'AllocateProducerIds':
          return this.#allocateProducerIds(msg);
        case 'ElectLeaders':
          return this.#electLeaders(msg);
        case 'AlterPartitionReassignments':
          return this.#alterPartitionReassignments(msg);
        case 'ListPartitionReassignments':
          return { topics: listPartitionReassignments(this.#state, msg), metadataOffset: this.#log.nextOffset - 1 };
        case 'CreateTopics': {
          const { results, metadataOffset } = await this.#carryOut(await createTopics(this.#adminContext(), msg));
          return { topics: results, metadataOffset };
        }
        case 'DeleteTopics': {
          const enabled = this.#clusterConfig()['delete.topic.enable'];
          const { results, metadataOffset } = await this.#carryOut(await deleteTopics(this.#adminContext(), msg, enabled));
          return { topics: results, metadataOffset };
        }
        case 'CreatePartitions':
          return this.#carryOut(await createPartitions(this.#adminContext(), msg));
        case 'AlterConfigs': {
          const { results, metadataOffset } = await this.#carryOut(await alterConfigs(this.#adminContext(), msg));
          await this.#electLeaderless();
          return { resources: results, metadataOffset };
        }
        case 'IncrementalAlterConfigs': {
          const { results, metadataOffset } = await this.#carryOut(await incrementalAlterConfigs(this.#adminContext(), msg));
          await this.#electLeaderless();
          return { resources: results, metadataOffset };
        }
        default:
          return unknownMessage(msg);
      }
    });
  }

  describe(): ControllerDescription {
    return {
      clusterId: this.clusterId,
      metadataOffset: this.#log.nextOffset,
      brokers: [...this.#state.brokers.values()].sort((a, b) => a.brokerId - b.brokerId),
    };
  }

  /** Stops serving brokers, lets the change in progress finish, and closes the metadata log. */
  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#livenessTimer);
    clearImmediate(this.#livenessCheck);
    clearInterval(this.#rebalanceTimer);
    for (const { mailbox } of this.#channels.values()) mailbox.close();
    this.#channels.clear();
    await this.#serial.catch(() => undefined);
    await this.#log.close();
  }

  async #register(msg: BrokerRegistrationRequest, channel: BrokerChannel | undefined): Promise<BrokerRegistrationReply> {
    const { brokerId } = msg;
    const previous = this.#state.broker(brokerId);
    // A new incarnation of a broker still alive in the metadata: the old one
    // died unseen, and leads nothing from here on.
    if (previous !== undefined && !previous.fenced) await this.#fence(brokerId, previous.brokerEpoch, 'a new incarnation registered');
    this.#shuttingDown.delete(brokerId);
    const brokerEpoch = this.#log.nextOffset;
    // The snapshot in the reply carries this registration; a push of it would come twice.
    if (channel) channel.synced = false;
    const elections = await registrationChanges(this.#electionContext({ registering: brokerId }), brokerId);
    const lastOffset = await this.#commit([{ type: 'RegisterBroker', brokerId, brokerEpoch, host: msg.host, port: msg.port }, ...elections.map((c) => c.record)]);
    logElections(this.#logger, `broker ${brokerId} registered`, elections);
    this.#liveness.touch(msg.brokerId, performance.now());
    this.#logger.info(`controller: broker ${msg.brokerId} registered at ${msg.host}:${msg.port}`, { brokerEpoch });
    // Packed in turns: a snapshot of max.partitions partitions is 100000 records.
    const batch = await packMetadataBatch(eachSnapshotRecord(this.#state));
    // The reply leaves before any later change is pushed: the next change
    // starts only after this one's promise settles, and a port keeps order.
    if (channel) channel.synced = true;
    return { brokerEpoch, clusterId: this.clusterId, metadata: { batch, lastOffset } };
  }

  #heartbeat(msg: BrokerHeartbeatRequest): BrokerHeartbeatReply {
    return { isFenced: !this.#touchIfCurrent(msg) };
  }

  /** Notes contact from the broker's current, unfenced incarnation; false for any other. */
  #touchIfCurrent(msg: BrokerHeartbeatRequest): boolean {
    const current = this.#state.broker(msg.brokerId);
    if (current === undefined || current.fenced || current.brokerEpoch !== msg.brokerEpoch) return false;
    this.#liveness.touch(msg.brokerId, performance.now());
    return true;
  }

  /** Fences `brokerEpoch` of the broker, unless a newer incarnation registered since it was chosen. */
  async #fence(brokerId: number, brokerEpoch: number, reason: string): Promise<void> {
    const current = this.#state.broker(brokerId);
    if (current === undefined || current.fenced || current.brokerEpoch !== brokerEpoch) return;
    const elections = await fenceChanges(this.#electionContext({ fencing: brokerId }), brokerId);
    await this.#commit([{ type: 'FenceBroker', brokerId, brokerEpoch, reason }, ...elections.map((c) => c.record)]);
    this.#logger.info(`controller: broker ${brokerId} fenced: ${reason}`, { brokerEpoch });
    logElections(this.#logger, `broker ${brokerId} fenced`, elections);
  }

  async #alterPartition(msg: AlterPartitionRequest): Promise<AlterPartitionReply> {
    const { errorCode, changes, partitions } = await alterPartition(this.#electionContext(), msg);
    const metadataOffset = await this.#commitChanges(changes);
    logIsrChanges(this.#logger, msg.brokerId, changes);
    logReassignments(this.#logger, changes);
    return { errorCode, partitions, metadataOffset };
  }

  async #alterPartitionReassignments(msg: AlterPartitionReassignmentsRequest): Promise<AlterPartitionReassignmentsReply> {
    const { changes, results } = await alterPartitionReassignments(this.#electionContext(), msg);
    const metadataOffset = await this.#commitChanges(changes);
    logReassignments(this.#logger, changes);
    return { topics: results, metadataOffset };
  }

  async #controlledShutdown(msg: ControlledShutdownRequest): Promise<ControlledShutdownReply> {
    const current = this.#state.broker(msg.brokerId);
    if (current === undefined || current.brokerEpoch !== msg.brokerEpoch) {
      return { errorCode: ErrorCode.STALE_BROKER_EPOCH, remainingLeaderships: 0, metadataOffset: this.#log.nextOffset - 1 };
    }
    this.#shuttingDown.add(msg.brokerId);
    const { changes, remainingLeaderships } = await controlledShutdown(this.#electionContext(), msg.brokerId);
    const metadataOffset = await this.#commitChanges(changes);
    logElections(this.#logger, `broker ${msg.brokerId} in controlled shutdown (${remainingLeaderships} leaderships could not move)`, changes);
    return { errorCode: ErrorCode.NONE, remainingLeaderships, metadataOffset };
  }

  async #allocateProducerIds(msg: AllocateProducerIdsRequest): Promise<AllocateProducerIdsReply> {
    const { records, reply } = allocateProducerIds(this.#state, msg);
    if (records.length > 0) {
      await this.#commit(records);
      const last = reply.producerIdStart + BigInt(reply.producerIdLen) - 1n;
      this.#logger.info(`controller: producer ids ${reply.producerIdStart}..${last} to broker ${msg.brokerId}`, { brokerEpoch: msg.brokerEpoch });
    }
    return reply;
  }

  async #electLeaders(msg: ElectLeadersRequest): Promise<ElectLeadersReply> {
    const { changes, results } = await electLeaders(this.#electionContext(), msg);
    const metadataOffset = await this.#commitChanges(changes);
    logElections(this.#logger, `ElectLeaders (${msg.electionType})`, changes);
    return { results, metadataOffset };
  }

  /** Leaderless partitions that a config change (unclean.leader.election.enable) lets elect a leader now. */
  async #electLeaderless(): Promise<void> {
    const changes = await leaderlessElections(this.#electionContext());
    await this.#commitChanges(changes);
    logElections(this.#logger, 'configs changed', changes);
  }

  /** The periodic preferred-leader check (auto.leader.rebalance.enable), after every change before it. */
  #rebalanceLeaders(): void {
    this.#serialize(async () => {
      const config = this.#clusterConfig();
      if (!config['auto.leader.rebalance.enable']) return;
      const changes = await preferredLeaderRebalance(this.#electionContext(), config['leader.imbalance.per.broker.percentage']);
      await this.#commitChanges(changes);
      logElections(this.#logger, 'preferred leaders rebalanced', changes);
    }).catch((error: unknown) => this.#logger.error('controller: could not move leaderships back to preferred replicas', { error }));
  }

  #fenceExpired(): void {
    for (const brokerId of this.#liveness.expired(performance.now())) {
      this.#liveness.forget(brokerId);
      const brokerEpoch = this.#state.broker(brokerId)?.brokerEpoch;
      if (brokerEpoch === undefined) continue;
      // A heartbeat that arrived while the fence waited for its turn keeps the broker.
      this.#serialize(() => (this.#liveness.heardFrom(brokerId) ? undefined : this.#fence(brokerId, brokerEpoch, 'no heartbeat within the session timeout'))).catch(
        (error: unknown) => this.#logger.error(`controller: could not fence broker ${brokerId}`, { error }),
      );
    }
  }

  /**
   * Appends the records as one batch, applies them, pushes them to every
   * synced broker, and returns the last one's offset. A large batch is
   * packed in turns of the event loop (loop-turns.ts), once for the log and
   * every broker; the state takes it whole in one turn, and each broker in
   * one message.
   */
  async #commit(records: readonly MetadataRecord[]): Promise<number> {
    const batch = await packMetadataBatch(records);
    const lastOffset = await this.#log.appendPacked(batch, records.length);
    for (const record of records) this.#state.apply(record);
    for (const [brokerId, channel] of this.#channels) {
      // A closed channel's broker is gone; the node detaches it.
      if (!channel.synced || channel.mailbox.closed) continue;
      try {
        channel.mailbox.tell({ type: 'MetadataUpdate', batch, lastOffset });
      } catch (error) {
        // A broker that misses an update resyncs when it registers again.
        this.#logger.warn(`controller: could not push metadata up to offset ${lastOffset} to broker ${brokerId}`, { error });
      }
    }
    this.#queueCompactionIfDue();
    return lastOffset;
  }

  /**
   * Compacts the metadata log once the change that made it due and those
   * already waiting are done, so none of them waits for the snapshot; a
   * closing controller leaves it to the next start.
   */
  #queueCompactionIfDue(): void {
    if (this.#compactionQueued || !this.#log.compactionDue) return;
    this.#compactionQueued = true;
    void this.#serialize(async () => {
      this.#compactionQueued = false;
      if (!this.#closing && this.#log.compactionDue) await compactMetadataLog(this.#log, this.#state, this.#logger);
    });
  }

  /** Commits an admin decision's records, if any, and returns its results with the offset at which they are visible. */
  async #carryOut<R>(decision: AdminDecision<R>): Promise<{ results: R; metadataOffset: number }> {
    const metadataOffset = decision.records.length > 0 ? await this.#commit(decision.records) : this.#log.nextOffset - 1;
    return { results: decision.results, metadataOffset };
  }

  /** Commits the changes' records, if any; the offset at which they are visible. */
  async #commitChanges(changes: readonly PartitionChange[]): Promise<number> {
    return changes.length > 0 ? this.#commit(changes.map((c) => c.record)) : this.#log.nextOffset - 1;
  }

  #electionContext(override?: EligibilityOverride) {
    return electionContext(this.#state, this.#staticConfig, this.#shuttingDown, override);
  }

  #adminContext(): AdminContext {
    return {
      state: this.#state,
      staticConfig: this.#staticConfig,
      logger: this.#logger,
      newTopicId: randomUUID,
      random: Math.random,
    };
  }

  /** The cluster-wide broker config: dynamic defaults over the static config. */
  #clusterConfig() {
    return resolveBrokerConfig(this.#state.configs('broker', ''), this.#staticConfig);
  }

  #serialize<T>(change: () => T | Promise<T>): Promise<T> {
    const result = this.#serial.then(change, change);
    this.#serial = result.catch(() => undefined);
    return result;
  }
}

/** A cluster id in Kafka's form: a random UUID as 22 characters of base64url. */
function newClusterId(): string {
  return Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
}
