// What the @kstream/client Admin tests share: an Admin on a test node, and a
// batch call's failures as [item, Kafka error name] pairs.
import { Admin, AdminBatchError, KafkaProtocolError } from '@kstream/client';
import type { PartitionDescription } from '@kstream/client';
import { expect } from 'vitest';
import type { CompatCluster } from './compat-cluster.test-support.js';

/** A connected Admin with short backoffs and a call timeout well under the test's. */
export async function clientAdmin(node: CompatCluster): Promise<Admin> {
  const admin = new Admin({ bootstrap: node.bootstrap, clientId: 'client-admin-test', retryBackoffMs: 50, retryBackoffMaxMs: 250, defaultApiTimeoutMs: 15_000 });
  await admin.connect();
  return admin;
}

/** Awaits a batch call's rejection: each failed item with its Kafka error name, and what succeeded. */
export async function batchFailure<R>(call: Promise<R>): Promise<{ failed: [string, string][]; error: AdminBatchError }> {
  const error = await call.then(
    (value) => {
      throw new Error(`expected an AdminBatchError, got ${JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
    },
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(AdminBatchError);
  const batch = error as AdminBatchError;
  const failed = batch.failures.map((f): [string, string] => {
    expect(f.error, `${f.item}'s error`).toBeInstanceOf(KafkaProtocolError);
    return [f.item, (f.error as KafkaProtocolError).errorName];
  });
  return { failed, error: batch };
}

/** Polls describeTopics until partition `partition` of `topic` passes `check`; returns it, or fails naming `what` and the last one seen. */
export async function waitForDescribed(
  admin: Admin,
  topic: string,
  partition: number,
  what: string,
  check: (p: PartitionDescription) => boolean,
  timeoutMs = 10_000,
): Promise<PartitionDescription> {
  const deadline = Date.now() + timeoutMs;
  let last: PartitionDescription | undefined;
  for (;;) {
    const [described] = await admin.describeTopics([topic]);
    last = described!.partitions[partition];
    if (last !== undefined && check(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${topic}-${partition}: ${what}; last seen ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
