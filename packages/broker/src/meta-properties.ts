import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The identity a broker's log directory records, as Kafka's meta.properties does. */
export interface MetaProperties {
  readonly brokerId: number;
  readonly clusterId: string;
}

/**
 * A log directory that belongs to a different broker or cluster (Kafka's
 * InconsistentClusterIdException / InconsistentBrokerIdException): starting
 * would mix two clusters' data.
 */
export class InconsistentMetaPropertiesError extends Error {
  override readonly name = 'InconsistentMetaPropertiesError';
}

/**
 * Makes `logDir` a log directory of broker `expected.brokerId` in cluster
 * `expected.clusterId`: creates it with a meta.properties on first use, and
 * on later starts checks that the recorded identity matches. The file is
 * Java-properties text (`version=0`, `broker.id`, `cluster.id`), written to a
 * temporary name and renamed so a crash never leaves half a file.
 */
export async function formatLogDir(logDir: string, expected: MetaProperties): Promise<void> {
  await mkdir(logDir, { recursive: true });
  const path = join(logDir, 'meta.properties');
  const existing = await readMetaProperties(path);
  if (existing === undefined) {
    const text = `version=0\nbroker.id=${expected.brokerId}\ncluster.id=${expected.clusterId}\n`;
    await writeFile(`${path}.tmp`, text);
    await rename(`${path}.tmp`, path);
    return;
  }
  if (existing.clusterId !== expected.clusterId) {
    throw new InconsistentMetaPropertiesError(
      `${path} has cluster.id ${existing.clusterId} but the cluster's id is ${expected.clusterId}: the directory belongs to another cluster`,
    );
  }
  if (existing.brokerId !== expected.brokerId) {
    throw new InconsistentMetaPropertiesError(`${path} has broker.id ${existing.brokerId} but it is the directory of broker ${expected.brokerId}`);
  }
}

/** Reads a meta.properties file; undefined if there is none. */
export async function readMetaProperties(path: string): Promise<MetaProperties | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const props = new Map<string, string>();
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq > 0) props.set(trimmed.slice(0, eq).trim(), trimmed.slice(eq + 1).trim());
  }
  const brokerId = Number(props.get('broker.id'));
  const clusterId = props.get('cluster.id');
  if (!Number.isSafeInteger(brokerId) || !clusterId) {
    throw new InconsistentMetaPropertiesError(`${path} lacks a valid broker.id and cluster.id`);
  }
  return { brokerId, clusterId };
}
