import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem, type FileSystem } from '@kstream/log-storage';
import { HOSTING_CHANGES_AT_ONCE } from './hosting-slots.js';
import { assignment, closeManager, openManager } from './partitions.test-support.js';

/** The real file system, whose making of a new directory waits until `open` is called: how many hosting changes are at that step at once. */
function gatedMkdir(): { fileSystem: FileSystem; waiting(): number; open(): void } {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  let waiting = 0;
  const fileSystem: FileSystem = {
    ...nodeFileSystem,
    mkdirNew: async (path) => {
      waiting++;
      await gate;
      waiting--;
      return nodeFileSystem.mkdirNew(path);
    },
  };
  return { fileSystem, waiting: () => waiting, open: () => release() };
}

/** Once `count` hosting changes wait at the gate (their file system calls before it are real), and a while more, in case more than that would come. */
async function whenWaiting(disk: { waiting(): number }, count: number): Promise<void> {
  for (let i = 0; i < 2_000 && disk.waiting() < count; i++) await sleep(5);
  await sleep(100);
}

const PARTITIONS = HOSTING_CHANGES_AT_ONCE * 3;

describe('ReplicaManager hosting slots', () => {
  it(`deltaInSlots: a metadata delta hosting ${PARTITIONS} partitions opens at most ${HOSTING_CHANGES_AT_ONCE} logs at once, then every one`, async () => {
    const disk = gatedMkdir();
    const manager = await openManager({ fileSystem: disk.fileSystem });
    const topics = Array.from({ length: PARTITIONS }, (_, i) => assignment(`t${i}`));
    const hosting = Promise.all(topics.map((t) => manager.applyAssignment(t)));
    await whenWaiting(disk, HOSTING_CHANGES_AT_ONCE);
    expect(disk.waiting()).toBe(HOSTING_CHANGES_AT_ONCE);
    disk.open();
    await hosting;
    for (const t of topics) expect(manager.partition(t.topic, 0)?.logEndOffset).toBe(0n);
    await closeManager(manager);
  });

  it(`snapshotAtOnce: a snapshot (a broker's start) opens all ${PARTITIONS} logs at once, so every partition is ready about when the last is`, async () => {
    const disk = gatedMkdir();
    const manager = await openManager({ fileSystem: disk.fileSystem });
    const topics = Array.from({ length: PARTITIONS }, (_, i) => assignment(`t${i}`));
    const reconciling = manager.reconcile(topics);
    await whenWaiting(disk, PARTITIONS);
    expect(disk.waiting()).toBe(PARTITIONS);
    disk.open();
    await reconciling;
    await manager.partitionsSettled();
    for (const t of topics) expect(manager.partition(t.topic, 0)?.logEndOffset).toBe(0n);
    await closeManager(manager);
  });
});
