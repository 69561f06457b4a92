// Real logs in temp directories for the ReplicaManager's tests: a manager,
// assignments as metadata would give them, and record batches encoded by
// @kstream/protocol.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { Logger } from '@kstream/actor';
import { encodeRecordBatch, type RecordBatchInput } from '@kstream/protocol';
import { partitionConfigFrom, type TopicConfigValues } from '@kstream/replication';
import type { PartitionAssignment } from './hosted-partitions.js';
import { ReplicaManager, type ReplicaManagerOptions } from './replica-manager.js';

const dirs: string[] = [];
const managers: ReplicaManager[] = [];

afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kstream-partitions-'));
  dirs.push(dir);
  return dir;
}

/** A logger that keeps every line. */
export function recordingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (msg) => void lines.push(`INFO ${msg}`),
    warn: (msg) => void lines.push(`WARN ${msg}`),
    error: (msg, fields) => void lines.push(`ERROR ${msg} ${JSON.stringify(fields, (_k, v) => (typeof v === 'bigint' ? String(v) : v instanceof Error ? v.message : v))}`),
  };
}

export const BROKER_ID = 1;

/** Opens a manager for broker 1 in `logDir` (a new temp dir by default), closed after the test unless the test closes it. */
export async function openManager(options: Partial<ReplicaManagerOptions> = {}): Promise<ReplicaManager> {
  const manager = await ReplicaManager.open({ brokerId: BROKER_ID, logDir: options.logDir ?? tempDir(), logger: recordingLogger(), ...options });
  managers.push(manager);
  return manager;
}

/** Closes a manager the test opened, so afterEach does not close it again. */
export async function closeManager(manager: ReplicaManager): Promise<void> {
  managers.splice(managers.indexOf(manager), 1);
  await manager.close();
}

export interface AssignmentSpec {
  partition?: number;
  topicId?: string;
  replicas?: number[];
  isr?: number[];
  leader?: number;
  leaderEpoch?: number;
  configs?: TopicConfigValues;
}

/** A partition of `topic` led by broker 1 alone (replication factor 1), unless the spec says otherwise. */
export function assignment(topic: string, spec: AssignmentSpec = {}): PartitionAssignment {
  const replicas = spec.replicas ?? [BROKER_ID];
  return {
    topic,
    partition: spec.partition ?? 0,
    config: partitionConfigFrom(spec.configs ?? {}),
    state: {
      topicId: spec.topicId ?? `${topic}-id`.padEnd(36, '0'),
      replicas,
      isr: spec.isr ?? replicas,
      leader: spec.leader ?? replicas[0]!,
      leaderEpoch: spec.leaderEpoch ?? 0,
      partitionEpoch: 0,
      addingReplicas: [],
      removingReplicas: [],
    },
  };
}

/** A batch of records with the given values (and timestamps, 1_700_000_000_000 + index by default). */
export function batch(values: readonly string[], options: Omit<RecordBatchInput, 'records'> & { timestamps?: readonly number[] } = {}): Promise<Buffer> {
  const { timestamps, ...rest } = options;
  return encodeRecordBatch({
    ...rest,
    records: values.map((value, i) => ({ key: null, value: Buffer.from(value), timestamp: timestamps?.[i] ?? 1_700_000_000_000 + i })),
  });
}
