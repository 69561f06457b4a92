// DescribeLogDirs v0–4
// - One log directory per broker (`<data-dir>/broker-<id>`), with every
//   hosted partition's size in bytes, or those of the requested topics
//   (topics null: all). offsetLag is 0: there are no future replicas.
// - v4 adds the file system's totalBytes and usableBytes (statfs).
// - A directory that cannot be read is answered KAFKA_STORAGE_ERROR.
import { DescribeLogDirs, ErrorCode, type ResponseOf } from '@kstream/protocol';
import { errorCodeOf } from '@kstream/replication';
import type { ApiHandler } from './handler.js';

type LogDirResult = ResponseOf<typeof DescribeLogDirs>['results'][number];

export const describeLogDirsHandler: ApiHandler<typeof DescribeLogDirs> = {
  api: DescribeLogDirs,
  async handle(request, { broker }) {
    const replicas = broker.partitions;
    const wanted = request.topics === null ? undefined : new Map(request.topics.map((t) => [t.topic, new Set(t.partitions)]));
    let result: LogDirResult;
    try {
      const dir = await replicas.describeLogDir();
      const byTopic = new Map<string, LogDirResult['topics'][number]>();
      for (const p of dir.partitions) {
        if (wanted !== undefined && !wanted.get(p.topic)?.has(p.partition)) continue;
        let topic = byTopic.get(p.topic);
        if (topic === undefined) byTopic.set(p.topic, (topic = { name: p.topic, partitions: [] }));
        topic.partitions.push({ partitionIndex: p.partition, partitionSize: BigInt(p.size), offsetLag: 0n, isFutureKey: false });
      }
      result = {
        errorCode: ErrorCode.NONE,
        logDir: dir.logDir,
        topics: [...byTopic.values()],
        totalBytes: dir.totalBytes,
        usableBytes: dir.usableBytes,
      };
    } catch (error) {
      result = { errorCode: errorCodeOf(error), logDir: replicas.logDir, topics: [], totalBytes: -1n, usableBytes: -1n };
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results: [result] };
  },
};
