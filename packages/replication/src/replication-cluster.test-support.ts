// Brokers in the test's thread for the replication tests: each with real
// logs in its own temp directory, its replica fetchers and leader server,
// and one Mailbox per pair of brokers over a real MessageChannel. A fake
// controller holds the partition's state: it elects leaders, accepts ISR
// changes (AlterPartition) and applies each new state to every broker, as
// metadata would.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Mailbox, type ActorMessage } from '@kstream/actor';
import { logConfig, PartitionLog } from '@kstream/log-storage';
import type { AlterPartitionItem, AlterPartitionResult } from '@kstream/metadata';
import { afterEach } from 'vitest';
import { DelayedFetchPurgatory } from './delayed-fetch.js';
import type { ReplicaPeers, ReplicaReplies, ReplicaRequest } from './messages.js';
import { Partition, type PartitionState } from './partition.js';
import { partitionConfigFrom, type TopicConfigValues } from './partition-config.js';
import { oneLeaderPartition, recordingLogger, tempDir, TOPIC, TOPIC_ID } from './partition.test-support.js';
import { ReplicaFetcherManager } from './replica-fetcher-manager.js';
import { replicaLeaderServer } from './replica-leader-server.js';

type PeerMailbox = Mailbox<ActorMessage, ReplicaRequest, ReplicaReplies>;

export interface TestBroker {
  readonly id: number;
  readonly partition: Partition;
  readonly fetchers: ReplicaFetcherManager;
  readonly purgatory: DelayedFetchPurgatory;
  readonly logger: ReturnType<typeof recordingLogger>;
  readonly mailboxes: Map<number, PeerMailbox>;
  /** Peers this broker's asks do not reach (a cut channel). */
  readonly cut: Set<number>;
  /** How many times the channel to each peer was cut: an ask in flight across a cut loses its reply. */
  readonly cuts: Map<number, number>;
}

const clusters: ReplicationCluster[] = [];

afterEach(async () => {
  for (const cluster of clusters.splice(0)) await cluster.close();
});

export interface ClusterOptions {
  readonly replicaLagTimeMaxMs?: number;
  readonly configs?: TopicConfigValues;
  readonly maxWaitMs?: number;
  readonly backoffMs?: number;
}

/** `orders-0` replicated on brokers 1..n, led by broker 1 in epoch 0 with every broker in the ISR unless `isr` says otherwise. */
export class ReplicationCluster {
  readonly brokers = new Map<number, TestBroker>();
  state: PartitionState;
  readonly #logs: PartitionLog[] = [];
  readonly #ports: MessagePort[] = [];

  private constructor(state: PartitionState) {
    this.state = state;
  }

  static async start(size: number, options: ClusterOptions = {}, isr?: number[]): Promise<ReplicationCluster> {
    const replicas = Array.from({ length: size }, (_, i) => i + 1);
    const cluster = new ReplicationCluster({
      topicId: TOPIC_ID,
      replicas,
      isr: isr ?? replicas,
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 0,
      addingReplicas: [],
      removingReplicas: [],
    });
    clusters.push(cluster);
    for (const id of replicas) await cluster.#startBroker(id, options);
    for (const a of replicas) {
      for (const b of replicas) if (a < b) cluster.#pair(a, b);
    }
    await cluster.apply(cluster.state);
    return cluster;
  }

  broker(id: number): TestBroker {
    return this.brokers.get(id)!;
  }

  leader(): TestBroker {
    return this.broker(this.state.leader);
  }

  async #startBroker(id: number, options: ClusterOptions): Promise<void> {
    const logger = recordingLogger();
    const purgatory = new DelayedFetchPurgatory();
    const log = await PartitionLog.open({ logDir: tempDir(), topic: TOPIC, partition: 0, config: logConfig() });
    this.#logs.push(log);
    const partition = new Partition(
      {
        brokerId: id,
        clock: Date.now,
        replicaLagTimeMaxMs: options.replicaLagTimeMaxMs ?? 30_000,
        alterPartition: (item) => this.#alterPartition(item),
        onHighWatermarkMoved: () => {},
        onLeaderAppend: (p, bytes) => purgatory.dataArrived(p.name, bytes),
        logger,
      },
      log,
      this.state,
      partitionConfigFrom(options.configs ?? {}),
      0n,
    );
    const mailboxes = new Map<number, PeerMailbox>();
    const cut = new Set<number>();
    const cuts = new Map<number, number>();
    const peers: ReplicaPeers = {
      ask: async (brokerId, msg, opts) => {
        const mailbox = mailboxes.get(brokerId);
        if (mailbox === undefined || cut.has(brokerId)) throw new Error(`broker ${id} has no channel to broker ${brokerId}`);
        // A follower's fetch parked at the leader when the channel is cut must not bring back what the leader appends afterwards.
        const cutsBefore = cuts.get(brokerId) ?? 0;
        const reply = await mailbox.ask(msg, opts);
        if ((cuts.get(brokerId) ?? 0) !== cutsBefore)
          throw new Error(`broker ${id} lost the reply to its ${msg.type} from broker ${brokerId}: the channel was cut while it was in flight`);
        return reply;
      },
    };
    const fetchers = new ReplicaFetcherManager({
      brokerId: id,
      peers,
      maxWaitMs: options.maxWaitMs ?? 200,
      partitionMaxBytes: 1 << 20,
      maxBytes: 10 << 20,
      backoffMs: options.backoffMs ?? 20,
      requestTimeoutMs: 5_000,
      logger,
    });
    this.brokers.set(id, { id, partition, fetchers, purgatory, logger, mailboxes, cut, cuts });
  }

  #pair(a: number, b: number): void {
    const { port1, port2 } = new MessageChannel();
    this.#ports.push(port1, port2);
    for (const [self, peer, port] of [
      [a, b, port1],
      [b, a, port2],
    ] as const) {
      const broker = this.broker(self);
      const server = replicaLeaderServer({
        purgatory: broker.purgatory,
        partitions: oneLeaderPartition(() => broker.partition),
      });
      broker.mailboxes.set(peer, new Mailbox(port, { name: `broker-${peer}`, logger: broker.logger, handle: (msg) => server(msg as ReplicaRequest, peer) }));
    }
  }

  /** Applies a new partition state to every broker (and, optionally, only `to`), as a metadata update does. */
  async apply(state: PartitionState, to: readonly number[] = [...this.brokers.keys()]): Promise<void> {
    this.state = state;
    for (const id of to) {
      const broker = this.broker(id);
      const { partition } = broker;
      const leaderChanged = partition.state.leader !== state.leader || partition.leaderEpoch !== state.leaderEpoch;
      if (state.leader === id) broker.fetchers.unfollow(partition.name);
      await partition.applyState(state);
      if (leaderChanged) broker.purgatory.partitionChanged(partition.name);
      if (state.leader !== id) broker.fetchers.follow(partition);
    }
  }

  /** The controller elects `leader` with `isr`: a new leader epoch. */
  elect(leader: number, isr: readonly number[], to?: readonly number[]): Promise<void> {
    const { leaderEpoch, partitionEpoch } = this.state;
    return this.apply({ ...this.state, leader, isr, leaderEpoch: leaderEpoch + 1, partitionEpoch: partitionEpoch + 1 }, to);
  }

  /** Stops a broker's fetching without telling it anything (its channels are cut both ways: new asks fail, replies to asks in flight are lost). */
  isolate(id: number): void {
    for (const other of this.brokers.values()) {
      for (const peer of other.id === id ? this.brokers.keys() : [id]) {
        other.cut.add(peer);
        other.cuts.set(peer, (other.cuts.get(peer) ?? 0) + 1);
      }
    }
  }

  heal(id: number): void {
    for (const other of this.brokers.values()) {
      if (other.id === id) other.cut.clear();
      else other.cut.delete(id);
      other.fetchers.peerChanged(id);
    }
  }

  async #alterPartition(item: AlterPartitionItem): Promise<AlterPartitionResult> {
    const state = this.state;
    const base = { topicId: item.topicId, partition: item.partition, leader: state.leader, leaderEpoch: state.leaderEpoch };
    if (item.leaderEpoch !== state.leaderEpoch || item.partitionEpoch !== state.partitionEpoch) {
      return { ...base, errorCode: 108, isr: state.isr, partitionEpoch: state.partitionEpoch };
    }
    const next = { ...state, isr: item.newIsr, partitionEpoch: state.partitionEpoch + 1 };
    // The metadata update reaches the brokers after the answer, as the controller's push does.
    setImmediate(() => void this.apply(next));
    this.state = next;
    return { ...base, errorCode: 0, isr: next.isr, partitionEpoch: next.partitionEpoch };
  }

  /** Resolves once `check` holds, polling every 5 ms, or throws after `timeoutMs` naming `what`. */
  async until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async close(): Promise<void> {
    // Closed mailboxes answer the asks in flight (CLOSED), so the fetchers' loops end at once.
    for (const broker of this.brokers.values()) for (const mailbox of broker.mailboxes.values()) mailbox.close();
    for (const broker of this.brokers.values()) {
      await broker.fetchers.close();
      broker.purgatory.completeAll();
      broker.partition.abandonWaiters();
    }
    for (const port of this.#ports) port.close();
    for (const log of this.#logs) await log.close().catch(() => {});
  }
}

/** Every byte of a log from its start to its end, as one Buffer. */
export async function logBytes(log: PartitionLog): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const read = await log.read(offset, { maxBytes: 1 << 20 });
    if (read.records.length === 0) break;
    parts.push(Buffer.from(read.records));
    offset = read.nextOffset;
  }
  return Buffer.concat(parts);
}
