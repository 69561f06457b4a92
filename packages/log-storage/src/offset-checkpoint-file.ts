import { CheckpointFile, parseOffsetField, type CheckpointFormat } from './checkpoint-file.js';
import type { LogDirIo } from './log-dir-io.js';
import type { TopicPartition } from './topic-partition.js';

export interface PartitionOffset extends TopicPartition {
  offset: bigint;
}

const offsetFormat: CheckpointFormat<PartitionOffset> = {
  version: 0,
  format: (e) => `${e.topic} ${e.partition} ${e.offset}`,
  parse: (fields) => {
    if (fields.length !== 3) return undefined;
    const [topic, partitionText, offsetText] = fields as [string, string, string];
    const offset = parseOffsetField(offsetText);
    if (!/^\d+$/.test(partitionText) || offset === undefined) return undefined;
    return { topic, partition: Number(partitionText), offset };
  },
};

/**
 * A per-log-directory checkpoint of one offset per partition, in Kafka's
 * format: `0`, the entry count, then `topic partition offset` lines. The
 * broker keeps `recovery-point-offset-checkpoint` and
 * `log-start-offset-checkpoint` (and the replication layer
 * `replication-offset-checkpoint`) in this format, for every partition of
 * the directory. Not thread-safe; owned by the broker loop, whose writes
 * may overlap: they are queued and coalesced, the latest call's offsets
 * written last (see CheckpointFile.write).
 */
export class OffsetCheckpointFile {
  private readonly file: CheckpointFile<PartitionOffset>;

  constructor(io: LogDirIo, path: string) {
    this.file = new CheckpointFile(io, path, offsetFormat);
  }

  get path(): string {
    return this.file.path;
  }

  /** Replaces the file with `offsets`; safe while another write is in progress (see CheckpointFile.write). */
  write(offsets: readonly PartitionOffset[]): Promise<void> {
    return this.file.write(offsets);
  }

  /** Offsets by `topic-partition`; empty if the file does not exist. */
  async read(): Promise<Map<string, bigint>> {
    const offsets = new Map<string, bigint>();
    for (const e of await this.file.read()) offsets.set(`${e.topic}-${e.partition}`, e.offset);
    return offsets;
  }
}
