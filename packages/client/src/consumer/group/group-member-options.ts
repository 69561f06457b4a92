// The group options of a consumer (Kafka's names and defaults), validated
// when the consumer is built.
import { KafkaConfigError } from '../../errors/index.js';
import { booleanOption, enumOption, intOption, type ClientLogger } from '../../options/index.js';
import type { Assignor } from '../assignors/assignor.js';
import { type AssignorName, resolveAssignors } from '../assignors/assignors.js';
import type { RebalanceListener } from './rebalance-listener.js';

export interface GroupMemberOptions {
  groupId: string;
  /** Static membership (KIP-345). */
  groupInstanceId?: string | null;
  /** In preference order; default ['range', 'cooperative-sticky'] as Kafka 3+. */
  assignors?: readonly (AssignorName | Assignor)[];
  /** Default 45000. */
  sessionTimeoutMs?: number;
  /** Default 3000; below sessionTimeoutMs. */
  heartbeatIntervalMs?: number;
  /** Default 300000; also the rebalance timeout. */
  maxPollIntervalMs?: number;
  /** Default true. */
  enableAutoCommit?: boolean;
  /** Default 5000. */
  autoCommitIntervalMs?: number;
  /** read_committed asks OffsetFetch for stable offsets only (requireStable). */
  isolationLevel?: 'read_uncommitted' | 'read_committed';
  rebalanceListener?: RebalanceListener;
  /** Default: the cluster client's logger. */
  logger?: ClientLogger;
}

export interface ResolvedGroupMemberOptions {
  groupId: string;
  groupInstanceId: string | null;
  assignors: Assignor[];
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxPollIntervalMs: number;
  enableAutoCommit: boolean;
  autoCommitIntervalMs: number;
  requireStable: boolean;
  rebalanceListener: RebalanceListener;
  logger: ClientLogger | null;
}

const INT32_MAX = 0x7fffffff;

/** Throws KafkaConfigError naming the bad key; the consumer calls it at construction. */
export function resolveGroupMemberOptions(options: GroupMemberOptions): ResolvedGroupMemberOptions {
  if (typeof options.groupId !== 'string' || options.groupId === '') throw new KafkaConfigError('groupId', options.groupId, 'a non-empty string');
  const groupInstanceId = options.groupInstanceId ?? null;
  if (groupInstanceId !== null && (typeof groupInstanceId !== 'string' || groupInstanceId === '')) {
    throw new KafkaConfigError('groupInstanceId', groupInstanceId, 'a non-empty string');
  }
  const sessionTimeoutMs = intOption(options, 'sessionTimeoutMs', 45_000, 1, INT32_MAX);
  const heartbeatIntervalMs = intOption(options, 'heartbeatIntervalMs', 3_000, 1, INT32_MAX);
  if (heartbeatIntervalMs >= sessionTimeoutMs) {
    throw new KafkaConfigError('heartbeatIntervalMs', heartbeatIntervalMs, `an integer below sessionTimeoutMs (${sessionTimeoutMs})`);
  }
  const listener = options.rebalanceListener ?? {};
  if (typeof listener !== 'object' || listener === null) {
    throw new KafkaConfigError('rebalanceListener', listener, 'an object with onAssigned, onRevoked and onLost functions (each optional)');
  }
  return {
    groupId: options.groupId,
    groupInstanceId,
    assignors: resolveAssignors(options.assignors),
    sessionTimeoutMs,
    heartbeatIntervalMs,
    maxPollIntervalMs: intOption(options, 'maxPollIntervalMs', 300_000, 1, INT32_MAX),
    enableAutoCommit: booleanOption(options, 'enableAutoCommit', true),
    autoCommitIntervalMs: intOption(options, 'autoCommitIntervalMs', 5_000, 0, INT32_MAX),
    requireStable: enumOption(options, 'isolationLevel', 'read_uncommitted', ['read_uncommitted', 'read_committed']) === 'read_committed',
    rebalanceListener: listener,
    logger: options.logger ?? null,
  };
}
