// A classic group under test: fake time (the clock and the timers advance
// only when told), a logger that captures, a storeGroup whose answer the test
// chooses, and requests with a consumer's defaults.
import type { Logger } from '@kstream/log-storage';
import { encodeSubscription, ErrorCode, type Heartbeat, type JoinGroup, type LeaveGroup, type RequestOf, type ResponseOf, type SyncGroup } from '@kstream/protocol';
import { ClassicGroup } from './classic-group.js';
import type { CoordinatorTimers, GroupCoordinatorConfig } from './coordinator-types.js';
import { ClassicGroupMembership } from './group-membership.js';

/** A clock and timers that move only by advance(). */
export class FakeTime implements CoordinatorTimers {
  now = 1_000;
  private readonly timers = new Map<number, { readonly at: number; readonly fn: () => void }>();
  private nextId = 1;

  readonly clock = (): number => this.now;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.now + Math.max(ms, 0), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer due on the way in order. */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= target && (due === undefined || entry[1].at < due[1].at)) due = entry;
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = target;
  }
}

export class LogCapture implements Logger {
  readonly lines: { readonly level: string; readonly msg: string }[] = [];
  info(msg: string): void {
    this.lines.push({ level: 'info', msg });
  }
  warn(msg: string): void {
    this.lines.push({ level: 'warn', msg });
  }
  error(msg: string): void {
    this.lines.push({ level: 'error', msg });
  }
}

export const TEST_CONFIG: GroupCoordinatorConfig = {
  groupInitialRebalanceDelayMs: 3_000,
  groupMinSessionTimeoutMs: 6_000,
  groupMaxSessionTimeoutMs: 1_800_000,
  groupMaxSize: 2_147_483_647,
  offsetsRetentionMs: 7 * 24 * 3_600_000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
  offsetsLoadBufferSize: 5_242_880,
};

export const SESSION_TIMEOUT_MS = 10_000;
export const REBALANCE_TIMEOUT_MS = 30_000;

export const subscription = (...topics: string[]): Buffer => encodeSubscription({ topics, userData: null, ownedPartitions: [], generationId: -1, rackId: null }, 0);

/** A request's promise with its answer, once there is one. */
export interface Tracked<T> {
  readonly promise: Promise<T>;
  readonly answer: () => T | undefined;
}

function track<T>(promise: Promise<T>): Tracked<T> {
  let answer: T | undefined;
  void promise.then((a) => (answer = a));
  return { promise, answer: () => answer };
}

/** Lets resolved promises (answers, stores) run. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export type JoinOptions = Partial<RequestOf<typeof JoinGroup>> & { readonly version?: number; readonly clientId?: string };

export class MembershipHarness {
  readonly time = new FakeTime();
  readonly logs = new LogCapture();
  config: GroupCoordinatorConfig = TEST_CONFIG;
  /** What storeGroup answers; each store is recorded with the group's record value at that moment. */
  storeErrorCode: number = ErrorCode.NONE;
  /** How long (fake time) a store takes to be acknowledged; 0 = at once. */
  storeDelayMs = 0;
  readonly stores: ReturnType<ClassicGroup['toRecordValue']>[] = [];
  readonly emptied: string[] = [];
  readonly group: ClassicGroup;
  readonly membership: ClassicGroupMembership;

  constructor(group?: ClassicGroup) {
    this.group = group ?? new ClassicGroup('g', this.time.now);
    this.membership = new ClassicGroupMembership({
      config: () => this.config,
      clock: this.time.clock,
      timers: this.time,
      logger: this.logs,
      storeGroup: (g) => {
        this.stores.push(g.toRecordValue());
        const errorCode = this.storeErrorCode;
        if (this.storeDelayMs === 0) return Promise.resolve(errorCode);
        return new Promise((resolve) => this.time.setTimeout(() => resolve(errorCode), this.storeDelayMs));
      },
      onGroupEmptied: (g) => void this.emptied.push(g.groupId),
    });
  }

  join(options: JoinOptions = {}): Tracked<ResponseOf<typeof JoinGroup>> {
    const { version = 9, clientId = 'client', ...fields } = options;
    const request: RequestOf<typeof JoinGroup> = {
      groupId: 'g',
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      rebalanceTimeoutMs: REBALANCE_TIMEOUT_MS,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription('t') }],
      reason: null,
      ...fields,
    };
    return track(this.membership.joinGroup(this.group, request, { apiVersion: version, clientId, clientHost: '/127.0.0.1' }));
  }

  /** A dynamic member's first join (v9): MEMBER_ID_REQUIRED, then the join with its id, parked. */
  async joinNew(options: JoinOptions = {}): Promise<{ readonly memberId: string; readonly joined: Tracked<ResponseOf<typeof JoinGroup>> }> {
    const first = await this.join(options).promise;
    if (first.errorCode !== ErrorCode.MEMBER_ID_REQUIRED) throw new Error(`expected MEMBER_ID_REQUIRED, got ${first.errorCode}`);
    return { memberId: first.memberId, joined: this.join({ ...options, memberId: first.memberId }) };
  }

  sync(
    memberId: string,
    generationId: number,
    assignments: RequestOf<typeof SyncGroup>['assignments'] = [],
    options: Partial<RequestOf<typeof SyncGroup>> & { readonly version?: number } = {},
  ): Tracked<ResponseOf<typeof SyncGroup>> {
    const { version = 5, ...fields } = options;
    const request: RequestOf<typeof SyncGroup> = {
      groupId: 'g',
      generationId,
      memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: this.group.protocolName,
      assignments,
      ...fields,
    };
    return track(this.membership.syncGroup(this.group, request, { apiVersion: version, clientId: 'client', clientHost: '/127.0.0.1' }));
  }

  async heartbeat(memberId: string, generationId: number, groupInstanceId: string | null = null): Promise<number> {
    const request: RequestOf<typeof Heartbeat> = { groupId: 'g', generationId, memberId, groupInstanceId };
    return (await this.membership.heartbeat(this.group, request, { apiVersion: 4, clientId: 'client', clientHost: '/127.0.0.1' })).errorCode;
  }

  leave(members: RequestOf<typeof LeaveGroup>['members'], version = 5, memberId = ''): Promise<ResponseOf<typeof LeaveGroup>> {
    return this.membership.leaveGroup(this.group, { groupId: 'g', memberId, members }, { apiVersion: version, clientId: 'client', clientHost: '/127.0.0.1' });
  }

  /** `n` dynamic members joined and synced (the leader assigns `assignment-<memberId>`): the group is Stable. */
  async stableGroup(n: number): Promise<string[]> {
    const joins = [];
    for (let i = 0; i < n; i++) joins.push(await this.joinNew({ clientId: `c${i}` }));
    await this.finishInitialDelay();
    const ids = joins.map((j) => j.memberId);
    await this.syncAll(ids);
    return ids;
  }

  /** Waits out group.initial.rebalance.delay.ms, as many times as members kept joining (each extends it). */
  async finishInitialDelay(): Promise<void> {
    while (this.group.joinTimer?.initial === true) this.time.advance(this.config.groupInitialRebalanceDelayMs);
    await settle();
  }

  /** Every member syncs in the current generation, the leader last, with `assignment-<memberId>` each. */
  async syncAll(ids: readonly string[]): Promise<void> {
    const generation = this.group.generationId;
    const leader = this.group.leaderId!;
    const syncs = ids.filter((id) => id !== leader).map((id) => this.sync(id, generation));
    syncs.push(
      this.sync(
        leader,
        generation,
        ids.map((id) => ({ memberId: id, assignment: Buffer.from(`assignment-${id}`) })),
      ),
    );
    await Promise.all(syncs.map((s) => s.promise));
  }
}
