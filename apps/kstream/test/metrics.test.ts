// The node's Prometheus endpoint scraped after known traffic on a 3-broker
// node: the counters and gauges match what was sent, fetched and committed,
// and the exposition parses line by line; a stopped broker is scraped as
// down; --metrics-port's bad values and a port in use fail the start.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, Consumer, Producer, stringSerde } from '@kstream/client';
import { ConfigError } from '../src/config-error.js';
import { makeTempDir, removeDir, waitFor } from '../src/cluster.test-support.js';
import { startCluster } from '../src/start-cluster.js';
import type { Cluster } from '../src/start-cluster.js';
import { parseStartArgs } from '../src/start-options.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/;

/** Prometheus' text format, line by line: every line a HELP, a TYPE, blank, or a sample whose metric has a TYPE. Fails naming the first line that is none. */
function parseExposition(text: string): Sample[] {
  const typed = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      expect(['counter', 'gauge', 'histogram', 'summary'], line).toContain(type);
      typed.add(name!);
      continue;
    }
    const match = SAMPLE_LINE.exec(line);
    if (match === null) throw new Error(`not a Prometheus sample line: ${JSON.stringify(line)}`);
    const name = match[1]!;
    expect(typed.has(name) || typed.has(name.replace(/_(bucket|sum|count)$/, '')), `${name} has a TYPE line`).toBe(true);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name, labels, value: Number(match[3]) });
  }
  return samples;
}

async function scrape(cluster: Cluster): Promise<Sample[]> {
  const response = await fetch(cluster.metricsUrl!);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

function select(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

function sum(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return select(samples, name, labels).reduce((total, s) => total + s.value, 0);
}

describe('the node serves Prometheus metrics after known traffic', () => {
  const RECORDS = 50;
  const VALUE = 'v'.repeat(100);
  const COMMITTED = 30n;
  const topic = `metrics-${Date.now()}`;
  const group = 'metrics-group';
  let dataDir: string;
  let cluster: Cluster;
  let admin: Admin;
  let producer: Producer<string, string>;
  let consumer: Consumer<string, string>;
  let leader: string;

  beforeAll(async () => {
    dataDir = await makeTempDir('metrics');
    cluster = await startCluster({
      dataDir,
      brokers: 3,
      port: 0,
      metricsPort: 0,
      logger: quiet,
      config: { 'group.initial.rebalance.delay.ms': '0', 'replica.lag.time.max.ms': '1000' },
    });
    admin = new Admin({ bootstrap: cluster.bootstrap, logger: quiet });
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 3 }]);
    const [description] = await admin.describeTopics([topic]);
    leader = String(description!.partitions[0]!.leader);
    producer = new Producer({ bootstrap: cluster.bootstrap, keySerializer: stringSerde, valueSerializer: stringSerde, logger: quiet, compression: 'none' });
    await producer.send(Array.from({ length: RECORDS }, (_, i) => ({ topic, partition: 0, key: `k${i}`, value: VALUE })));
    consumer = new Consumer({ bootstrap: cluster.bootstrap, groupId: group, keyDeserializer: stringSerde, valueDeserializer: stringSerde, logger: quiet, fetchMaxWaitMs: 100 });
    consumer.assign([{ topic, partition: 0 }]);
    consumer.seek({ topic, partition: 0 }, 'earliest');
    let consumed = 0;
    const deadline = Date.now() + 15_000;
    while (consumed < RECORDS && Date.now() < deadline) {
      for (const batch of await consumer.poll({ timeoutMs: 500 })) consumed += batch.records.length;
    }
    expect(consumed).toBe(RECORDS);
    await consumer.commit([{ topic, partition: 0, offset: COMMITTED }]);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled([consumer?.close(), producer?.close(), admin?.close()]);
    await cluster?.stop();
    await removeDir(dataDir);
  });

  it('serves a URL on a free port when asked for port 0, and no metrics for an embedded cluster by default', async () => {
    expect(cluster.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const other = await makeTempDir('metrics-none');
    const plain = await startCluster({ dataDir: other, brokers: 1, port: 0, logger: quiet });
    try {
      expect(plain.metricsUrl).toBeUndefined();
    } finally {
      await plain.stop();
      await removeDir(other);
    }
    expect((await fetch(cluster.metricsUrl!.replace('/metrics', '/other'))).status).toBe(404);
  }, 30_000);

  it('counts the records and bytes produced into the partition on its leader, the bytes fetched out equal to them, and the log holds them', async () => {
    const samples = await scrape(cluster);
    const partition = { topic, partition: '0' };
    expect(sum(samples, 'kstream_records_in_total', partition)).toBe(RECORDS);
    expect(select(samples, 'kstream_records_in_total', partition).map((s) => s.labels['broker'])).toEqual([leader]);
    const bytesIn = sum(samples, 'kstream_bytes_in_total', partition);
    expect(bytesIn).toBeGreaterThan(RECORDS * VALUE.length);
    expect(sum(samples, 'kstream_log_size_bytes', { ...partition, broker: leader }), 'the leader log holds exactly the bytes appended').toBe(bytesIn);
    expect(sum(samples, 'kstream_bytes_out_total', partition), 'the consumer read each batch once').toBe(bytesIn);
  });

  it('counts Produce and Fetch requests with their latency, one more Produce per send', async () => {
    const before = await scrape(cluster);
    await producer.send([{ topic, partition: 0, key: 'one-more', value: VALUE }]);
    const after = await scrape(cluster);
    const produce = { api: 'Produce', broker: leader };
    expect(sum(after, 'kstream_requests_total', produce) - sum(before, 'kstream_requests_total', produce)).toBe(1);
    expect(sum(after, 'kstream_records_in_total', { topic })).toBe(RECORDS + 1);
    expect(sum(after, 'kstream_requests_total', { api: 'Fetch' })).toBeGreaterThanOrEqual(1);
    expect(sum(after, 'kstream_request_duration_seconds_count', produce)).toBe(sum(after, 'kstream_requests_total', produce));
    const infBucket = select(after, 'kstream_request_duration_seconds_bucket', { ...produce, le: '+Inf' });
    expect(infBucket.map((s) => s.value)).toEqual([sum(after, 'kstream_requests_total', produce)]);
    expect(sum(after, 'kstream_request_errors_total', { api: 'Produce' })).toBe(0);
  });

  it('counts error codes by API and name: creating a topic that exists answers TOPIC_ALREADY_EXISTS', async () => {
    const labels = { api: 'CreateTopics', error: 'TOPIC_ALREADY_EXISTS' };
    const before = sum(await scrape(cluster), 'kstream_request_errors_total', labels);
    await expect(admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 3 }])).rejects.toThrow();
    expect(sum(await scrape(cluster), 'kstream_request_errors_total', labels) - before).toBe(1);
  });

  it('reports every partition led once (leader counts sum to the controller partition count), none under-replicated or offline', async () => {
    await waitFor('every partition led and in sync', async () => {
      const samples = await scrape(cluster);
      return sum(samples, 'kstream_leader_partitions') === sum(samples, 'kstream_controller_partitions') && sum(samples, 'kstream_under_replicated_partitions') === 0;
    });
    const samples = await scrape(cluster);
    expect(sum(samples, 'kstream_partitions'), 'three replicas of each partition').toBe(3 * sum(samples, 'kstream_controller_partitions'));
    expect(sum(samples, 'kstream_controller_offline_partitions')).toBe(0);
    expect(sum(samples, 'kstream_controller_live_brokers')).toBe(3);
    expect(select(samples, 'kstream_scrape_broker_up').map((s) => [s.labels['broker'], s.value])).toEqual([
      ['1', 1],
      ['2', 1],
      ['3', 1],
    ]);
    expect(sum(samples, 'kstream_connections')).toBeGreaterThanOrEqual(2);
    // Each broker holds the .log of its replica of the written partition open, within a limit it reports; a
    // partition never written has no file to hold (its .log is made by its first write).
    for (const broker of ['1', '2', '3']) {
      const open = sum(samples, 'kstream_log_open_files', { broker });
      expect(open).toBeGreaterThanOrEqual(1);
      expect(open).toBeLessThanOrEqual(sum(samples, 'kstream_log_open_files_limit', { broker }));
    }
    expect(sum(samples, 'kstream_log_file_evictions_total')).toBe(0);
    for (const operation of ['produce', 'fetch']) expect(select(samples, 'kstream_purgatory_size', { operation })).toHaveLength(3);
  });

  it("reports the group's lag as what was left unconsumed after its commit", async () => {
    const samples = await scrape(cluster);
    const end = sum(samples, 'kstream_partition_high_watermark', { topic, partition: '0' });
    expect(sum(samples, 'kstream_group_committed_offset', { group, topic, partition: '0' })).toBe(Number(COMMITTED));
    expect(select(samples, 'kstream_consumer_group_lag', { group, topic, partition: '0' }).map((s) => s.value)).toEqual([end - Number(COMMITTED)]);
    expect(end).toBe(RECORDS + 1);
  });

  it("reports each broker worker's heap, CPU share and event-loop delay", async () => {
    const samples = await scrape(cluster);
    for (const broker of ['1', '2', '3']) {
      expect(sum(samples, 'kstream_worker_heap_used_bytes', { broker })).toBeGreaterThan(1_000_000);
      expect(sum(samples, 'kstream_worker_heap_total_bytes', { broker })).toBeGreaterThanOrEqual(sum(samples, 'kstream_worker_heap_used_bytes', { broker }));
      expect(sum(samples, 'kstream_worker_busy_seconds_total', { broker })).toBeGreaterThan(0);
      expect(select(samples, 'kstream_worker_event_loop_delay_seconds', { broker }).map((s) => s.labels['quantile'])).toEqual(['0.5', '0.99', 'max']);
    }
    expect(sum(samples, 'kstream_node_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it("counts the leader's ISR shrink when a follower's link is cut and its expansion once healed", async () => {
    const follower = [1, 2, 3].find((id) => String(id) !== leader)!;
    const isrChanges = async (kind: string) => sum(await scrape(cluster), `kstream_isr_${kind}_total`, { broker: leader });
    const [shrinks, expands] = [await isrChanges('shrinks'), await isrChanges('expands')];
    await cluster.control.cutLink(Number(leader), follower);
    // A follower that has all the leader's records stays in sync however long it is silent: the leader needs a record it has not fetched.
    const sent = producer.send([{ topic, partition: 0, key: 'during-the-cut', value: VALUE }]);
    await waitFor('the leader to shrink the ISR', async () => (await isrChanges('shrinks')) > shrinks, 20_000);
    await sent;
    expect(sum(await scrape(cluster), 'kstream_under_replicated_partitions', { broker: leader })).toBeGreaterThanOrEqual(1);
    await cluster.control.healLink(Number(leader), follower);
    await waitFor('the leader to expand the ISR again', async () => (await isrChanges('expands')) > expands, 20_000);
  }, 60_000);

  it('scrapes a stopped broker as down and still serves the others', async () => {
    await cluster.control.stopBroker(3);
    const samples = await scrape(cluster);
    expect(select(samples, 'kstream_scrape_broker_up').map((s) => [s.labels['broker'], s.value])).toEqual([
      ['1', 1],
      ['2', 1],
      ['3', 0],
    ]);
    expect(select(samples, 'kstream_worker_heap_used_bytes').map((s) => s.labels['broker'])).toEqual(['1', '2']);
  }, 30_000);
});

describe('--metrics-port', () => {
  it('defaults to 9644, to a free port under --port 0, and none or -1 serve no metrics', () => {
    expect(parseStartArgs([], quiet).metricsPort).toBe(9644);
    expect(parseStartArgs(['--port', '0'], quiet).metricsPort).toBe(0);
    expect(parseStartArgs(['--metrics-port', '9999'], quiet).metricsPort).toBe(9999);
    expect(parseStartArgs(['--metrics-port', 'none'], quiet).metricsPort).toBe(-1);
    expect(parseStartArgs(['--metrics-port=-1'], quiet).metricsPort).toBe(-1);
  });

  it('refuses a value that is not a port, and a broker listener port, naming the flag', () => {
    expect(() => parseStartArgs(['--metrics-port', 'x'], quiet)).toThrow(
      new ConfigError('--metrics-port must be a whole number from 0 to 65535 (0 picks a free port), or none (or -1) for no metrics endpoint, got "x"'),
    );
    expect(() => parseStartArgs(['--metrics-port', '70000'], quiet)).toThrow(/--metrics-port must be a whole number from 0 to 65535/);
    expect(() => parseStartArgs(['--port', '19092', '--metrics-port', '19093'], quiet)).toThrow(
      new ConfigError("--metrics-port 19093 is broker 2's listener port (--port 19092, --brokers 3); choose another"),
    );
  });

  it('fails the start with a ConfigError naming --metrics-port when the port is in use, leaving nothing running', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const held = (holder.address() as AddressInfo).port;
    const dataDir = await makeTempDir('metrics-held');
    try {
      const start = startCluster({ dataDir, brokers: 1, port: 0, metricsPort: held, logger: quiet });
      await expect(start).rejects.toThrow(ConfigError);
      await expect(start).rejects.toThrow(`--metrics-port ${held}: 127.0.0.1:${held} is not available (EADDRINUSE)`);
    } finally {
      holder.close();
      await removeDir(dataDir);
    }
  }, 30_000);
});
