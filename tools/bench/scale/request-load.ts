// The load child of the scale benchmark: many clients, each one connection
// asking one small request at a time (a closed loop), against a node in
// another process. Only answers received within the window, without an error
// code, are counted; requests still in flight when it ends are not.
import { ApiVersions, ErrorCode, Metadata, ZERO_UUID } from '@kstream/protocol';
import { KafkaConnection } from '../replication/kafka-connection.js';
import { answerOneJob } from './answer-one-job.js';
import { cpuMeter } from './cpu-meter.js';
import { type RequestLoadJob, type RequestLoadResult, type RequestRate, topicName } from './messages.js';

const CONNECT_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** Connections opened at once: more would overflow the brokers' listen backlog (511 in Node) and wait out SYN retries. */
const CONNECTING_AT_ONCE = 100;
const API_VERSIONS_VERSION = 3;
const METADATA_VERSION = 12;

/** One request on one connection; true for an answer without an error code. */
type Ask = (connection: KafkaConnection, index: number) => Promise<boolean>;

function brokerAddresses(bootstrap: string): { host: string; port: number }[] {
  return bootstrap.split(',').map((address) => {
    const colon = address.lastIndexOf(':');
    return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
  });
}

async function openConnections(bootstrap: string, count: number): Promise<KafkaConnection[]> {
  const brokers = brokerAddresses(bootstrap);
  const connections: KafkaConnection[] = [];
  for (let first = 0; first < count; first += CONNECTING_AT_ONCE) {
    const indexes = Array.from({ length: Math.min(CONNECTING_AT_ONCE, count - first) }, (_, i) => first + i);
    const opened = await Promise.all(
      indexes.map((i) => {
        const { host, port } = brokers[i % brokers.length]!;
        return KafkaConnection.open(host, port, CONNECT_TIMEOUT_MS).catch((error: unknown) => {
          throw new Error(`connection ${i + 1} of ${count}, to ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
        });
      }),
    );
    connections.push(...opened);
  }
  return connections;
}

/** `ask` in a closed loop on every connection still open, for `seconds`. */
async function closedLoop(all: readonly KafkaConnection[], seconds: number, ask: Ask): Promise<RequestRate> {
  // One unmeasured request each first: codecs compiled, buffers grown, on both sides.
  await Promise.all(all.map((connection, i) => ask(connection, i).catch(() => false)));
  const open = all.map((connection, index) => ({ connection, index })).filter(({ connection }) => !connection.isClosed);
  let responses = 0;
  let errorResponses = 0;
  let failedConnections = 0;
  const cores = cpuMeter();
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    open.map(async ({ connection, index }) => {
      try {
        while (performance.now() < end) {
          const good = await ask(connection, index);
          if (performance.now() > end) break;
          if (good) responses++;
          else errorResponses++;
        }
      } catch {
        failedConnections++;
      }
    }),
  );
  return { connections: open.length, responses, errorResponses, seconds, failedConnections, loadCpuCores: cores() };
}

async function runLoad(job: RequestLoadJob): Promise<RequestLoadResult> {
  const connecting = performance.now();
  const connections = await openConnections(job.bootstrap, job.connections);
  const connectMs = performance.now() - connecting;
  try {
    const apiVersions = await closedLoop(connections, job.seconds, async (connection) => {
      const answer = await connection.request(ApiVersions, API_VERSIONS_VERSION, { clientSoftwareName: 'kstream-bench-scale', clientSoftwareVersion: '0' }, REQUEST_TIMEOUT_MS);
      return answer.errorCode === ErrorCode.NONE;
    });
    const metadata = await closedLoop(connections, job.seconds, async (connection, i) => {
      const name = topicName(i % job.topics);
      const answer = await connection.request(
        Metadata,
        METADATA_VERSION,
        {
          topics: [{ topicId: ZERO_UUID, name }],
          allowAutoTopicCreation: false,
          includeClusterAuthorizedOperations: false,
          includeTopicAuthorizedOperations: false,
        },
        REQUEST_TIMEOUT_MS,
      );
      const topic = answer.topics[0];
      return topic?.name === name && topic.errorCode === ErrorCode.NONE && topic.partitions.length > 0;
    });
    return { kind: 'requests', connectMs, apiVersions, metadata };
  } finally {
    for (const connection of connections) connection.close();
  }
}

answerOneJob(runLoad);
