// Bad bytes on a raw socket: each closes that one connection, with a log
// line naming it, and the broker keeps serving its other connections and
// new clients. Plus the two things a well-behaved client relies on that
// only raw bytes show: pipelined requests are answered in order, and an
// ApiVersions version the broker does not know gets the KIP-511 answer.
import { ApiVersions, Metadata, ZERO_UUID } from '@kstream/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatCluster } from './compat-cluster.test-support.js';
import { kcatMetadata, kcatMissing } from './kcat.test-support.js';
import { RawConnection, errorName, requestFrame } from './raw-connection.test-support.js';

/** Kafka's default socket.request.max.bytes (100 MiB). */
const SOCKET_REQUEST_MAX_BYTES = 104_857_600;

function sizePrefix(size: number): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(size);
  return prefix;
}

/** A request header v1 (apiKey, apiVersion, correlationId, clientId) in a frame, with `body` after it. */
function handMadeFrame(apiKey: number, apiVersion: number, correlationId: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const clientId = Buffer.from('kstream-compat');
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  const rest = Buffer.concat([header, clientId, body]);
  return Buffer.concat([sizePrefix(rest.length), rest]);
}

describe('bad input on raw sockets', () => {
  let node: CompatCluster;
  /** Opened before any bad input, on the same broker: it must keep working. */
  let bystander: RawConnection;

  beforeAll(async () => {
    node = await CompatCluster.start('bad-input');
    bystander = await RawConnection.open(node.port(1));
  });

  afterAll(async () => {
    bystander?.close();
    await node?.stop();
  });

  async function expectStillServing(what: string): Promise<void> {
    const versions = await bystander.request(ApiVersions, 3, { clientSoftwareName: 'kstream-compat', clientSoftwareVersion: '1' });
    expect(errorName(versions.errorCode), `ApiVersions on another connection after ${what}`).toBe('NONE');
    const fresh = await RawConnection.open(node.port(1));
    try {
      const metadata = await fresh.request(Metadata, 1, { topics: null });
      expect(metadata.brokers.map((b) => b.nodeId).sort(), `Metadata on a new connection after ${what}`).toEqual([1, 2, 3]);
    } finally {
      fresh.close();
    }
  }

  /** Sends `bytes` on a new connection to broker 1 and checks it is closed, logged, and that nothing else is. */
  async function expectClosed(what: string, bytes: Buffer): Promise<RawConnection> {
    const conn = await RawConnection.open(node.port(1));
    const port = conn.localPort;
    const from = node.logs.lines.length;
    conn.write(bytes);
    expect(await conn.closesWithin(5_000), `${what}: the broker closes the connection`).toBe(true);
    const logged = await node.logs.find((line) => /\b(WARN|ERROR)\b/.test(line) && new RegExp(`:${port}\\b`).test(line), { from });
    expect(logged, `${what}: a WARN or ERROR line naming connection 127.0.0.1:${port}`).not.toBeNull();
    await expectStillServing(what);
    return conn;
  }

  it('pipelinedInOrder: requests written together are answered in the order sent', async () => {
    const conn = await RawConnection.open(node.port(2));
    try {
      const sent = [
        conn.frame(Metadata, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }),
        conn.frame(ApiVersions, 3, { clientSoftwareName: 'kstream-compat', clientSoftwareVersion: '1' }),
        conn.frame(Metadata, 1, { topics: null }),
        conn.frame(ApiVersions, 0, {}),
        conn.frame(Metadata, 9, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }),
      ];
      const answers = Promise.all([
        conn.response(Metadata, 12, sent[0]!.correlationId),
        conn.response(ApiVersions, 3, sent[1]!.correlationId),
        conn.response(Metadata, 1, sent[2]!.correlationId),
        conn.response(ApiVersions, 0, sent[3]!.correlationId),
        conn.response(Metadata, 9, sent[4]!.correlationId),
      ]);
      conn.write(Buffer.concat(sent.map((s) => s.frame)));
      const [metadata12, versions3, metadata1, versions0, metadata9] = await answers;
      expect(conn.arrivals).toEqual(sent.map((s) => s.correlationId));
      expect(metadata12.brokers).toHaveLength(3);
      expect(metadata1.brokers).toHaveLength(3);
      expect(metadata9.topics).toEqual([]);
      expect(versions3.apiKeys.map((k) => k.apiKey)).toEqual(versions0.apiKeys.map((k) => k.apiKey));
    } finally {
      conn.close();
    }
  }, 30_000);

  it('apiVersionsTooNew: an ApiVersions v0 answer with UNSUPPORTED_VERSION and the full API list (KIP-511), connection kept', async () => {
    const conn = await RawConnection.open(node.port(1));
    try {
      // v99's header is flexible (tagged fields after clientId) and its body is v3's: compact strings and tags.
      const body = Buffer.from([0x00, 4, ...Buffer.from('abc'), 2, ...Buffer.from('9'), 0x00]);
      const frame = handMadeFrame(ApiVersions.apiKey, 99, 4242, body);
      const answer = conn.response(ApiVersions, 0, 4242);
      conn.write(frame);
      const versions = await answer;
      expect(errorName(versions.errorCode)).toBe('UNSUPPORTED_VERSION');
      const ranges = new Map(versions.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
      for (const apiKey of [0, 1, 2, 3, 18, 19, 20, 32, 37]) expect(ranges.has(apiKey), `apiKey ${apiKey} advertised`).toBe(true);
      expect(ranges.get(ApiVersions.apiKey)).toEqual([0, 4]);
      expect(conn.isClosed).toBe(false);
      const followUp = await conn.request(ApiVersions, 3, { clientSoftwareName: 'kstream-compat', clientSoftwareVersion: '1' });
      expect(errorName(followUp.errorCode)).toBe('NONE');
    } finally {
      conn.close();
    }
  }, 30_000);

  it('malformedFrame: a Metadata v12 request cut short closes the connection', async () => {
    const frame = requestFrame(Metadata, 12, 5, { topics: [{ topicId: ZERO_UUID, name: 'cut-short' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    const cut = Buffer.from(frame.subarray(0, frame.length - 5));
    cut.writeInt32BE(cut.length - 4, 0);
    await expectClosed('a truncated Metadata v12 body', cut);
  }, 30_000);

  it('unknownApiKey: a request for API key 9999 closes the connection', async () => {
    await expectClosed('API key 9999', handMadeFrame(9999, 0, 7));
  }, 30_000);

  it('unsupportedVersion: Metadata v99 closes the connection', async () => {
    await expectClosed('Metadata v99', handMadeFrame(Metadata.apiKey, 99, 8));
  }, 30_000);

  it('oversizedFrame: a size prefix above socket.request.max.bytes closes the connection before the body is sent', async () => {
    await expectClosed(`a frame of ${SOCKET_REQUEST_MAX_BYTES + 1} bytes`, sizePrefix(SOCKET_REQUEST_MAX_BYTES + 1));
  }, 30_000);

  it('negativeSize: a size prefix of -1 closes the connection', async () => {
    await expectClosed('a frame size of -1', sizePrefix(-1));
  }, 30_000);

  it('shortHeader: a 3-byte frame closes the connection', async () => {
    await expectClosed('a 3-byte frame', Buffer.concat([sizePrefix(3), Buffer.from([0, 3, 0])]));
  }, 30_000);

  it('garbageAfterValidFrame: the valid request is answered, then the garbage closes the connection', async () => {
    const valid = requestFrame(ApiVersions, 3, 11, { clientSoftwareName: 'kstream-compat', clientSoftwareVersion: '1' });
    const garbage = Buffer.concat([sizePrefix(5), Buffer.from('hello')]);
    const conn = await expectClosed('garbage after an ApiVersions v3 request', Buffer.concat([valid, garbage]));
    expect(conn.arrivals, 'the ApiVersions response came before the close').toEqual([11]);
  }, 30_000);

  it('clientsStillWelcome: kafkajs and kcat connect and see all three brokers after the bad input', async () => {
    const admin = await node.admin();
    const cluster = await admin.describeCluster();
    expect(cluster.brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    if (kcatMissing === null) expect((await kcatMetadata(node.bootstrap)).brokers).toHaveLength(3);
  }, 30_000);
});
