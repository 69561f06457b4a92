// librdkafka (kcat) decides from ApiVersions alone which codecs a broker
// takes: gzip and snappy need a Produce range that meets v0–2 (KAFKA-18659,
// librdkafka #4956), lz4 needs FindCoordinator v0. Without them it logs
// "Broker does not support compression type ..." and sends the batch
// uncompressed; these tests read the stored batches back to see what it sent.
import { spawn, spawnSync } from 'node:child_process';
import { ATTRIBUTE_COMPRESSION_MASK, CompressionType, Fetch, recordBatchesIn, ZERO_UUID } from '@kstream/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerCluster } from '../../test/broker-cluster.test-support.js';

const kcatMissing = spawnSync('kcat', ['-V']).status !== 0;

/** Runs kcat as a producer of `lines` and returns its stderr (its -d msg debug lines). */
function kcatProduce(bootstrap: string, topic: string, lines: readonly string[], codec: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const args = ['-P', '-b', bootstrap, '-t', topic, '-p', '0', '-X', `compression.codec=${codec}`, '-X', 'linger.ms=100', '-d', 'msg'];
    const child = spawn('kcat', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stderr);
      else reject(new Error(`kcat ${args.join(' ')} exited ${code}:\n${stderr.slice(0, 2000)}`));
    });
    child.stdin.end(lines.join('\n'));
  });
}

describe.skipIf(kcatMissing)('kcat compression', () => {
  let cluster: BrokerCluster;
  beforeAll(async () => {
    cluster = await BrokerCluster.start();
  });
  afterAll(() => cluster.stop());

  /** The record count and compression codec of every batch stored in partition 0 of `topic`, read back with a raw Fetch. */
  async function storedBatches(topic: string): Promise<{ records: number; codec: number }[]> {
    const client = await cluster.client();
    const response = await client.request(Fetch, 12, {
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1n },
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 8 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          topicId: ZERO_UUID,
          partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 8 << 20 }],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    const [partition] = response.responses[0]!.partitions;
    expect(partition!.errorCode).toBe(0);
    return [...recordBatchesIn(partition!.records ?? Buffer.alloc(0))].map(({ header }) => ({
      records: header.recordCount,
      codec: header.attributes & ATTRIBUTE_COMPRESSION_MASK,
    }));
  }

  it.each([
    ['gzip', CompressionType.Gzip],
    ['snappy', CompressionType.Snappy],
    ['lz4', CompressionType.Lz4],
    ['zstd', CompressionType.Zstd],
  ] as const)(
    'everyCodecCompressed %s: kcat compresses its batches and they are stored so',
    async (codec, type) => {
      const admin = await cluster.admin();
      const topic = `kcat-${codec}`;
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
      const lines = Array.from({ length: 200 }, (_, i) => `record ${i} ${'abcdefgh'.repeat(i % 16)}`);

      const stderr = await kcatProduce(cluster.bootstrap.join(','), topic, lines, codec);

      expect(stderr).not.toContain('does not support compression type');
      // librdkafka sends a batch uncompressed when compressing did not shrink it, which can happen to a batch of one
      // record that left before the rest were read; every larger batch must carry the codec.
      const batches = await storedBatches(topic);
      expect(batches.reduce((sum, b) => sum + b.records, 0)).toBe(lines.length);
      const multiRecord = batches.filter((b) => b.records > 1);
      expect(multiRecord.length).toBeGreaterThan(0);
      expect(multiRecord.map((b) => b.codec)).toEqual(multiRecord.map(() => type));
    },
    30_000,
  );
});
