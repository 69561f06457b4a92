// A group of protocol-level members becoming Stable: its coordinator found
// (FindCoordinator v3, answered once __consumer_offsets has a leader for
// the group's partition), one connection per member opened before the
// clock starts, then every member joins at once. Stable is every member
// synced in one generation whose leader saw them all; the time is from the
// first JoinGroup sent to the last SyncGroup answered in it.
import { FindCoordinator, OffsetFetch } from '@kstream/protocol';
import { KafkaConnection } from '../replication/kafka-connection.js';
import type { ClusterClient } from '../replication/cluster-client.js';
import { errorName, ProtocolMember } from './protocol-member.js';

const CONNECT_TIMEOUT_MS = 5_000;
const FIND_TIMEOUT_MS = 30_000;

export interface Coordinator {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

/**
 * The group's coordinator once it serves the group: FindCoordinator asked of
 * broker `ask`, then OffsetFetch of the group asked of the broker it names,
 * again until both answer NONE (the offsets topic may still be electing
 * leaders, a coordinator still loading its partition), so no figure times a
 * load.
 */
export async function findCoordinator(client: ClusterClient, ask: number, group: string): Promise<Coordinator> {
  const deadline = performance.now() + FIND_TIMEOUT_MS;
  for (;;) {
    const found = await (await client.connection(ask)).request(FindCoordinator, 3, { key: group, keyType: 0, coordinatorKeys: [] }, FIND_TIMEOUT_MS);
    let error = found.errorCode;
    if (error === 0) {
      const fetched = await (await client.connection(found.nodeId)).request(OffsetFetch, 7, { groupId: group, topics: null, groups: [], requireStable: false }, FIND_TIMEOUT_MS);
      if (fetched.errorCode === 0) return { nodeId: found.nodeId, host: found.host, port: found.port };
      error = fetched.errorCode;
    }
    if (performance.now() > deadline) throw new Error(`the coordinator of ${group} (asking broker ${ask}): ${errorName(error)} for ${FIND_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export class StableGroup {
  readonly #members: ProtocolMember[] = [];
  readonly #runs: Promise<void>[] = [];
  #resolve: (ms: number) => void = () => {};
  #reject: (error: Error) => void = () => {};
  /** Milliseconds from the first JoinGroup to the last SyncGroup answer of the generation every member is synced in. */
  readonly stable: Promise<number>;

  private constructor(
    readonly group: string,
    readonly coordinator: Coordinator,
    private readonly conns: readonly KafkaConnection[],
    heartbeatMs: number,
  ) {
    this.stable = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.stable.catch(() => {});
    for (const conn of conns) this.#members.push(new ProtocolMember(conn, group, heartbeatMs, () => this.#check()));
  }

  /** Finds the coordinator and opens a connection per member; nothing is sent to the group yet. */
  static async prepare(client: ClusterClient, ask: number, group: string, size: number, heartbeatMs: number): Promise<StableGroup> {
    const coordinator = await findCoordinator(client, ask, group);
    const conns = await Promise.all(Array.from({ length: size }, () => KafkaConnection.open(coordinator.host, coordinator.port, CONNECT_TIMEOUT_MS)));
    return new StableGroup(group, coordinator, conns, heartbeatMs);
  }

  /** Every member joins now. */
  start(): void {
    for (const member of this.#members) this.#runs.push(member.run().catch((error: Error) => this.#reject(error)));
  }

  /** Heartbeats every `ms` from now on. */
  slowDown(ms: number): void {
    for (const member of this.#members) member.slowDown(ms);
  }

  /** Every member leaves; the connections close. */
  async stop(): Promise<void> {
    await Promise.all(this.#members.map((m) => m.stop()));
    for (const conn of this.conns) conn.close();
    await Promise.allSettled(this.#runs);
  }

  #check(): void {
    const states = this.#members.map((m) => m.state);
    const first = states[0]!;
    if (first.kind !== 'synced') return;
    let last = 0;
    let leaderSawAll = false;
    for (const s of states) {
      if (s.kind !== 'synced' || s.generation !== first.generation) return;
      last = Math.max(last, s.at);
      if (s.members === this.#members.length) leaderSawAll = true;
    }
    if (!leaderSawAll) return;
    this.#resolve(last - Math.min(...this.#members.map((m) => m.firstJoinAt)));
  }
}
