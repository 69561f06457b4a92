// A scripted broker for unit tests: a real TCP listener that decodes each
// request with protocol's codec, records it, and answers with what the
// test's handler for that API key returns (undefined: no answer). ApiVersions
// and Metadata have defaults: every API protocol knows, and itself as the
// only broker, leading every partition of `topics`.
import { createServer, type Server, type Socket } from 'node:net';
import {
  ALL_APIS,
  ApiVersions,
  AUTHORIZED_OPERATIONS_OMITTED,
  decodeRequest,
  encodeResponse,
  ErrorCode,
  FrameReader,
  Metadata,
  parseVersionRange,
  ZERO_UUID,
  type RequestHeader,
  type RequestOf,
  type ResponseOf,
} from '@kstream/protocol';

/**
 * Returns the response body (complete, for the request's version), a promise
 * of it, or undefined to leave the request unanswered; `socket` lets a test
 * write raw bytes or destroy the connection. A throw closes the connection.
 */
export type FakeHandler = (body: any, version: number, header: RequestHeader, socket: Socket) => unknown;

export interface FakeApiRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export interface FakeBrokerOptions {
  nodeId?: number;
  /** By API key. */
  handlers?: Readonly<Record<number, FakeHandler>>;
  /** What the ApiVersions response lists; default every API protocol has a schema for, at its validVersions. */
  apiVersions?: readonly FakeApiRange[];
  /** Topics the default Metadata handler knows, with their partition counts; each partition is led by this broker (see startCluster). */
  topics?: Readonly<Record<string, number>>;
}

/** The brokers of a fake cluster: each lists them all in Metadata, and partition p of every topic is led by brokers[p % n]. */
export interface FakeCluster {
  readonly brokers: readonly FakeBroker[];
  /** "h:p,h:p,...", for ClientOptions.bootstrap. */
  readonly bootstrap: string;
  close(): Promise<void>;
}

export interface FakeRequest {
  apiKey: number;
  version: number;
  body: any;
  header: RequestHeader;
}

const DEFAULT_API_VERSIONS: readonly FakeApiRange[] = ALL_APIS.map((api) => {
  const { min, max } = parseVersionRange(api.validVersions);
  return { apiKey: api.apiKey, minVersion: min, maxVersion: max };
});

export class FakeBroker {
  readonly host = '127.0.0.1';
  readonly nodeId: number;
  readonly requests: FakeRequest[] = [];
  /** Client sockets currently open. */
  readonly sockets = new Set<Socket>();
  readonly apiVersions: readonly FakeApiRange[];
  private readonly handlers: Readonly<Record<number, FakeHandler>>;
  private readonly topics: Readonly<Record<string, number>>;
  /** Every broker of its fake cluster, itself included (set by startCluster). */
  private peers: readonly FakeBroker[] = [this];

  private constructor(
    private readonly server: Server,
    readonly port: number,
    options: FakeBrokerOptions,
  ) {
    this.nodeId = options.nodeId ?? 0;
    this.handlers = options.handlers ?? {};
    this.apiVersions = options.apiVersions ?? DEFAULT_API_VERSIONS;
    this.topics = options.topics ?? {};
  }

  static async start(options: FakeBrokerOptions = {}): Promise<FakeBroker> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('fake broker: no TCP address');
    const broker = new FakeBroker(server, address.port, options);
    server.on('connection', (socket) => broker.serve(socket));
    return broker;
  }

  /** `count` brokers with node ids 0..count-1 and the same options; see FakeCluster. */
  static async startCluster(count: number, options: Omit<FakeBrokerOptions, 'nodeId'> = {}): Promise<FakeCluster> {
    const brokers = await Promise.all(Array.from({ length: count }, (_, nodeId) => FakeBroker.start({ ...options, nodeId })));
    for (const broker of brokers) broker.peers = brokers;
    return {
      brokers,
      bootstrap: brokers.map((b) => b.address).join(','),
      close: async () => {
        await Promise.all(brokers.map((b) => b.close()));
      },
    };
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Requests of one API key received so far. */
  requestsOf(apiKey: number): FakeRequest[] {
    return this.requests.filter((r) => r.apiKey === apiKey);
  }

  /** Drops every client connection, as a crashing broker would. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    // As a Kafka broker does: without it, Nagle holds a pipelined response until the client's delayed ACK.
    socket.setNoDelay(true);
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const reader = new FrameReader(100 * 1024 * 1024);
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of reader.push(chunk)) this.answer(socket, frame);
      } catch {
        socket.destroy();
      }
    });
  }

  private answer(socket: Socket, frame: Buffer): void {
    const { header, api, body } = decodeRequest(frame);
    this.requests.push({ apiKey: header.apiKey, version: header.apiVersion, body, header });
    const handler = this.handlers[header.apiKey] ?? this.defaultHandler(header.apiKey);
    if (handler === undefined) {
      socket.destroy();
      return;
    }
    Promise.resolve()
      .then(() => handler(body, header.apiVersion, header, socket))
      .then(
        (response) => {
          if (response === undefined || socket.destroyed) return;
          // KIP-511: ApiVersions' UNSUPPORTED_VERSION answer is written in v0, whatever version was asked.
          const unsupported = api.apiKey === ApiVersions.apiKey && (response as { errorCode: number }).errorCode === ErrorCode.UNSUPPORTED_VERSION;
          socket.write(encodeResponse(api, unsupported ? 0 : header.apiVersion, header.correlationId, response as never));
        },
        () => socket.destroy(),
      );
  }

  private defaultHandler(apiKey: number): FakeHandler | undefined {
    if (apiKey === ApiVersions.apiKey) return (_body, version) => this.apiVersionsResponse(version);
    if (apiKey === Metadata.apiKey) return (body: RequestOf<typeof Metadata>) => this.metadataResponse(body);
    return undefined;
  }

  /** The default ApiVersions answer; UNSUPPORTED_VERSION (with the ranges) when `version` is above the listed ApiVersions range. */
  apiVersionsResponse(version: number): ResponseOf<typeof ApiVersions> {
    const own = this.apiVersions.find((r) => r.apiKey === ApiVersions.apiKey);
    const unsupported = own !== undefined && version > own.maxVersion;
    return {
      errorCode: unsupported ? ErrorCode.UNSUPPORTED_VERSION : 0,
      apiKeys: this.apiVersions.map((r) => ({ ...r })),
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    };
  }

  /** The default Metadata answer: the brokers of its cluster (itself alone unless startCluster), leaders by partition; unknown topics UNKNOWN_TOPIC_OR_PARTITION. */
  metadataResponse(request: RequestOf<typeof Metadata>): ResponseOf<typeof Metadata> {
    const names = request.topics === null ? Object.keys(this.topics) : request.topics.map((t) => t.name ?? '');
    return {
      throttleTimeMs: 0,
      brokers: this.peers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: null })),
      clusterId: 'fake-cluster',
      controllerId: this.peers[0]!.nodeId,
      topics: names.map((name) => {
        const count = this.topics[name];
        return {
          errorCode: count === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : 0,
          name,
          topicId: ZERO_UUID,
          isInternal: false,
          partitions: Array.from({ length: count ?? 0 }, (_, partitionIndex) => ({
            errorCode: 0,
            partitionIndex,
            leaderId: this.peers[partitionIndex % this.peers.length]!.nodeId,
            leaderEpoch: 0,
            replicaNodes: this.peers.map((b) => b.nodeId),
            isrNodes: this.peers.map((b) => b.nodeId),
            offlineReplicas: [],
          })),
          topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
        };
      }),
      clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    };
  }
}
