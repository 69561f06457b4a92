// `npm pack` of @kstream/client and the packages it needs, installed into a
// fresh project outside the monorepo: an ES module and a CommonJS script
// (require(esm), Node >= 20.19) produce and consume against a 3-broker node
// with the Producer, the Consumer and the kafkajs entry, and TypeScript finds
// the types of both entries in dist/. Also run on Node 24 (test-node24).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { partitionForKey } from '@kstream/partitioner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../src/cluster.test-support.js';
import {
  buildIfStale,
  clientAndItsWorkspaceDependencies,
  pack,
  registryUnreachable,
  runScript,
  scratchProject,
  type ScratchProject,
  type Tarball,
} from './client-pack.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';

const PARTITIONS = 3;
const PRODUCER_RECORDS = 12;
const KAFKAJS_RECORDS = 6;

// Shared by both entry scripts: the Producer's records, then the kafkajs
// entry's, all read back by a Consumer assigned every partition. One JSON line out.
const PRODUCE_AND_CONSUME = `
module.exports = async function produceAndConsume({ client, kafkajs, protocol, entry }) {
  const [bootstrap, topic, partitions, producerRecords, kafkajsRecords] = process.argv.slice(2);
  const { Producer, Consumer, stringSerde } = client;
  const producer = new Producer({ bootstrap, clientId: 'pack-' + entry, keySerializer: stringSerde, valueSerializer: stringSerde });
  const sent = await producer.send(
    Array.from({ length: Number(producerRecords) }, (_, i) => ({ topic, key: 'key-' + i, value: entry + ' producer ' + i })),
  );
  await producer.close();

  const kafka = new kafkajs.Kafka({ clientId: 'pack-' + entry + '-kafkajs', brokers: bootstrap.split(',') });
  const kafkajsProducer = kafka.producer();
  await kafkajsProducer.connect();
  await kafkajsProducer.send({
    topic,
    messages: Array.from({ length: Number(kafkajsRecords) }, (_, i) => ({ key: 'kafkajs-key-' + i, value: entry + ' kafkajs ' + i })),
  });
  await kafkajsProducer.disconnect();

  const consumer = new Consumer({ bootstrap, keyDeserializer: stringSerde, valueDeserializer: stringSerde, autoOffsetReset: 'earliest' });
  consumer.assign(Array.from({ length: Number(partitions) }, (_, partition) => ({ topic, partition })));
  const expected = Number(producerRecords) + Number(kafkajsRecords);
  const received = [];
  const deadline = Date.now() + 20000;
  while (received.length < expected && Date.now() < deadline) {
    for (const batch of await consumer.poll({ timeoutMs: 500 })) {
      for (const r of batch.records) received.push({ partition: r.partition, offset: String(r.offset), key: r.key, value: r.value });
    }
  }
  await consumer.close();
  console.log(JSON.stringify({
    node: process.version,
    crc32c: protocol.crc32cImplementation,
    sent: sent.map((m) => ({ topic: m.topic, partition: m.partition, offset: String(m.offset) })),
    received,
  }));
};
`;

const ESM_ENTRY = `
import * as client from '@kstream/client';
import * as kafkajs from '@kstream/client/kafkajs';
import * as protocol from '@kstream/protocol';
import produceAndConsume from './produce-consume.cjs';

await produceAndConsume({ client, kafkajs, protocol, entry: 'esm' });
`;

const CJS_ENTRY = `
const client = require('@kstream/client');
const kafkajs = require('@kstream/client/kafkajs');
const protocol = require('@kstream/protocol');
const produceAndConsume = require('./produce-consume.cjs');

produceAndConsume({ client, kafkajs, protocol, entry: 'cjs' }).catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

// What a TypeScript user writes; @ts-expect-error fails the check if the types are too loose to catch a wrong call.
const TYPED_ESM = `
import { Consumer, KafkaConfigError, Producer, stringSerde, type ConsumerRecord, type RecordMetadata } from '@kstream/client';
import { Kafka } from '@kstream/client/kafkajs';

const producer = new Producer<string, string>({ bootstrap: 'localhost:9092', keySerializer: stringSerde, valueSerializer: stringSerde });
export const sent: Promise<RecordMetadata> = producer.send({ topic: 'orders', key: 'k', value: 'v' });
// @ts-expect-error a number is not this producer's value type
export const wrong = producer.send({ topic: 'orders', value: 42 });
const consumer = new Consumer<string, string>({ bootstrap: ['localhost:9092'], keyDeserializer: stringSerde, valueDeserializer: stringSerde });
consumer.assign([{ topic: 'orders', partition: 0 }]);
export const valueOf = (record: ConsumerRecord<string, string>): string | null => record.value;
export const kafka = new Kafka({ clientId: 'check', brokers: ['localhost:9092'] });
export const isConfigError = (error: unknown): boolean => error instanceof KafkaConfigError;
`;

const TYPED_CJS = `
import { Producer } from '@kstream/client';
import { Kafka } from '@kstream/client/kafkajs';

export const producer = new Producer({ bootstrap: 'localhost:9092' });
export const kafka = new Kafka({ brokers: ['localhost:9092'] });
`;

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');

const TSCONFIG = JSON.stringify({
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    lib: ['es2023'],
    strict: true,
    noEmit: true,
    // The packages' declarations are checked too: one naming a type they don't ship fails here.
    skipLibCheck: false,
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
  },
  files: ['check.mts', 'check.cts', 'readme-example.mts'],
});

/** The client README's example, type-checked with the rest: it must stay a program that compiles. */
function readmeExample(): string {
  const readme = readFileSync(join(root, 'packages', 'client', 'README.md'), 'utf8');
  const example = /## Example\s+```ts\n([\s\S]*?)```/.exec(readme);
  if (example === null) throw new Error('packages/client/README.md has no ```ts block under "## Example"');
  return `${example[1]}export {};\n`;
}

interface ScriptOutput {
  node: string;
  crc32c: string;
  sent: { topic: string; partition: number; offset: string }[];
  received: { partition: number; offset: string; key: string; value: string }[];
}

/** tsc -p tsconfig.json in the project: its errors, '' for none. */
function typeCheck(project: string): Promise<string> {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  return run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project }).then(
    () => '',
    (error: { stdout?: string }) => error.stdout || String(error),
  );
}

describe('client-pack', () => {
  let node: CompatCluster | undefined;
  let workDir: string | undefined;
  let tarballs: Tarball[] = [];
  let project: ScratchProject | undefined;
  /** Why the installed project's tests are skipped: outside CI, a registry out of reach. */
  let skipReason: string | null = null;
  /** tsc's errors in the installed project ('' for none), started as soon as it is installed: it needs no node. */
  let typeErrors: Promise<string> | undefined;

  beforeAll(async () => {
    const starting = CompatCluster.start('client-pack');
    const packaging = (async () => {
      const phases: string[] = [];
      let phaseStart = performance.now();
      const phase = (what: string): void => {
        phases.push(`${what} ${((performance.now() - phaseStart) / 1000).toFixed(1)} s`);
        phaseStart = performance.now();
      };
      const packageDirs = clientAndItsWorkspaceDependencies();
      const rebuilt = await buildIfStale(packageDirs);
      phase(rebuilt.length === 0 ? 'dist/ fresh' : `built ${rebuilt.join(', ')}`);
      workDir = await makeTempDir('client-pack-tarballs');
      tarballs = await pack(packageDirs, workDir);
      phase('npm pack');
      try {
        project = await scratchProject(tarballs, {
          'produce-consume.cjs': PRODUCE_AND_CONSUME,
          'esm.mjs': ESM_ENTRY,
          'cjs.cjs': CJS_ENTRY,
          'check.mts': TYPED_ESM,
          'check.cts': TYPED_CJS,
          'readme-example.mts': readmeExample(),
          'tsconfig.json': TSCONFIG,
        });
        phase('npm install');
        typeErrors = typeCheck(project.dir);
      } catch (error) {
        const unreachable = registryUnreachable((error as { installLog?: string }).installLog ?? '');
        if (unreachable === null || process.env.CI) throw error;
        skipReason = unreachable;
        console.warn(`client-pack: skipping the installed project's tests: ${unreachable}`);
      }
      console.info(`client-pack: ${phases.join('; ')}`);
    })();
    const [started, packaged] = await Promise.allSettled([starting, packaging]);
    if (started.status === 'fulfilled') node = started.value;
    if (started.status === 'rejected') throw started.reason;
    if (packaged.status === 'rejected') throw packaged.reason;
  }, 80_000);

  afterAll(async () => {
    await typeErrors;
    await node?.stop();
    for (const dir of [workDir, project?.dir]) if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('theClientNeedsOnlyProtocolAndPartitioner: the workspace packages packed beside it', () => {
    expect(tarballs.map((t) => t.name).sort()).toEqual(['@kstream/client', '@kstream/partitioner', '@kstream/protocol']);
  });

  it('tarballsHoldTheBuildNotTheSources: both entries with types, no tests, protocol with its addon source', () => {
    const files = new Map(tarballs.map((t) => [t.name, t.files]));
    const client = files.get('@kstream/client')!;
    expect(client).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/kafkajs/index.js', 'dist/kafkajs/index.d.ts']));
    for (const [name, packed] of files) {
      expect(
        packed.filter((file) => file.startsWith('src/') || /\.test(-support)?\.(js|d\.ts)$/.test(file)),
        `${name}: sources or tests`,
      ).toEqual([]);
    }
    expect(files.get('@kstream/protocol')).toEqual(expect.arrayContaining(['binding.gyp', 'native/crc32c.c', 'dist/index.js']));
  });

  it("protocolInstallScriptApproved: the project's allowScripts lets npm run it (the crc32c addon builds, or it says why not)", ({ skip }) => {
    if (skipReason !== null) skip(skipReason);
    expect(project!.installLog, 'npm skipped an install script').not.toMatch(/not yet covered by allowScripts/);
    expect(project!.installLog).toMatch(/> @kstream\/protocol@\S+ install/);
  });

  it('readmeLinksResolveInThePackage: every relative link of the client README names a file the tarball ships', () => {
    const client = tarballs.find((t) => t.name === '@kstream/client')!;
    const readme = readFileSync(join(root, 'packages', 'client', 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#]+)\)/g)].map((link) => link[1]!).filter((target) => !/^[a-z]+:/.test(target));
    expect(
      links.filter((target) => !client.files.includes(target)),
      'links to files outside the package',
    ).toEqual([]);
  });

  it('esmImportProducesAndConsumes: Producer, Consumer and the kafkajs entry from an ES module', async ({ skip }) => {
    if (skipReason !== null) skip(skipReason);
    await expectRoundTrip('esm');
  }, 45_000);

  it('commonJsRequireProducesAndConsumes: the same from require() (require(esm), Node >= 20.19)', async ({ skip }) => {
    if (skipReason !== null) skip(skipReason);
    await expectRoundTrip('cjs');
  }, 45_000);

  it("typesResolveFromDist: TypeScript (nodenext) checks a user's ES module and CommonJS file, and the README's example, against the installed .d.ts", async ({ skip }) => {
    if (skipReason !== null) skip(skipReason);
    expect(await typeErrors, 'tsc errors').toBe('');
  }, 30_000);

  async function expectRoundTrip(entry: 'esm' | 'cjs'): Promise<void> {
    const topic = topicName(`pack-${entry}`);
    const admin = await node!.admin();
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 3 }], waitForLeaders: true });
    const script = entry === 'esm' ? 'esm.mjs' : 'cjs.cjs';
    const args = [node!.bootstrap, topic, String(PARTITIONS), String(PRODUCER_RECORDS), String(KAFKAJS_RECORDS)];
    const output = (await runScript(project!.dir, script, args, 35_000)) as ScriptOutput;

    expect(output.node, "the scripts run on the test's Node").toBe(process.version);
    expect(['kstream addon (SSE4.2, 3 streams)', '@node-rs/crc32']).toContain(output.crc32c);
    const producerKeys = Array.from({ length: PRODUCER_RECORDS }, (_, i) => `key-${i}`);
    const kafkajsKeys = Array.from({ length: KAFKAJS_RECORDS }, (_, i) => `kafkajs-key-${i}`);
    expect(
      output.sent.map((m) => [m.topic, m.partition]),
      'each key where murmur2 puts it',
    ).toEqual(producerKeys.map((key) => [topic, partitionForKey(key, PARTITIONS)]));

    const byKey = new Map(output.received.map((record) => [record.key, record]));
    expect(output.received, 'every record read once').toHaveLength(PRODUCER_RECORDS + KAFKAJS_RECORDS);
    producerKeys.forEach((key, i) => {
      const { partition, offset } = output.sent[i]!;
      expect(byKey.get(key), `${key} at the offset send resolved to`).toEqual({ partition, offset, key, value: `${entry} producer ${i}` });
    });
    kafkajsKeys.forEach((key, i) => {
      expect(byKey.get(key), `${key} from the kafkajs entry`).toMatchObject({ partition: partitionForKey(key, PARTITIONS), value: `${entry} kafkajs ${i}` });
    });
  }
});
