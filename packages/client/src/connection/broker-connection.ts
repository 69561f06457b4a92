// One TCP connection to one broker, as Kafka's NetworkClient keeps them:
// ApiVersions first, then requests pipelined up to
// maxInFlightRequestsPerConnection, matched to their responses by
// correlation id. A connection is used once: after its socket closes (or a
// request times out, which closes it, as Kafka does) everything pending is
// rejected and the owner opens a new one.
import { connect as netConnect, type Socket } from 'node:net';
import { ApiVersions, decodeResponse, encodeRequest, FrameReader, responseCorrelationId, type ApiSpec, type RequestOf, type ResponseOf } from '@kstream/protocol';
import { KafkaClientError, KafkaConnectionError, KafkaTimeoutError, protocolError } from '../errors/kafka-client-error.js';
import type { ResolvedClientOptions } from '../options/client-options.js';
import { API_VERSIONS_MAX, API_VERSIONS_REQUEST, decodeApiVersionsResponse, fallbackApiVersionsVersion } from './api-versions-exchange.js';
import { NegotiatedVersions } from './negotiated-versions.js';

/** The largest response frame accepted (Fetch responses are bounded by fetch.max.bytes, 50 MiB by default); a larger size prefix means a broken stream. */
export const MAX_RESPONSE_FRAME_BYTES = 100 * 1024 * 1024;

export interface BrokerTarget {
  host: string;
  port: number;
  nodeId: number | null;
}

/** A request written or waiting to be; `resolve`/`reject` settle the caller's promise. */
class PendingRequest {
  deadline = 0;

  constructor(
    readonly api: ApiSpec,
    readonly version: number,
    readonly correlationId: number,
    /** The encoded request; dropped once written, so an in-flight Produce does not hold its batch until the answer. */
    public frame: Buffer | undefined,
    readonly timeoutMs: number,
    /** False for Produce acks=0: settled once written. */
    readonly expectResponse: boolean,
    readonly resolve: (value: any) => void,
    readonly reject: (error: unknown) => void,
  ) {}
}

type CloseListener = (error: Error | undefined) => void;

export class BrokerConnection {
  readonly host: string;
  readonly port: number;
  readonly nodeId: number | null;
  readonly label: string;

  private socket: Socket | undefined;
  private opening: Promise<void> | undefined;
  private versions: NegotiatedVersions | undefined;
  private closedBy: Error | null | undefined; // undefined: open; null: closed by close(); else the failure
  private closedPromise: Promise<void> | undefined;
  private readonly reader = new FrameReader(MAX_RESPONSE_FRAME_BYTES);
  private readonly inFlight = new Map<number, PendingRequest>();
  private readonly queue: PendingRequest[] = [];
  private queueHead = 0;
  private nextCorrelationId = 0;
  private corked = false;
  private timer: NodeJS.Timeout | undefined;
  private timerDeadline = Infinity;
  private readonly closeListeners = new Set<CloseListener>();
  private abortOpen: ((error: unknown) => void) | undefined;
  // Bound once per connection, so the hot path creates no closures for them.
  private readonly uncorkBound = () => {
    this.corked = false;
    this.socket?.uncork();
  };
  private readonly checkTimeoutsBound = () => this.checkTimeouts();

  constructor(
    target: BrokerTarget,
    private readonly options: ResolvedClientOptions,
  ) {
    this.host = target.host;
    this.port = target.port;
    this.nodeId = target.nodeId;
    const address = target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
    this.label = target.nodeId === null ? address : `broker ${target.nodeId} (${address})`;
  }

  /** Open, ApiVersions negotiated, not yet closed. */
  get connected(): boolean {
    return this.versions !== undefined && this.closedBy === undefined;
  }

  /** Whether this connection has closed (it is never reopened). */
  get closed(): boolean {
    return this.closedBy !== undefined;
  }

  /** Requests sent and not yet answered, plus those queued behind the in-flight limit. */
  get pendingRequests(): number {
    return this.inFlight.size + this.queue.length - this.queueHead;
  }

  /** TCP connect and ApiVersions, within connectTimeoutMs. Idempotent; a closed connection rejects. */
  connect(): Promise<void> {
    if (this.closedBy !== undefined) return Promise.reject(this.closedError());
    this.opening ??= this.open();
    return this.opening;
  }

  /** The highest version of `api` both sides support; KafkaUnsupportedVersionError if none. Needs connect() first. */
  version(api: ApiSpec): number {
    return this.negotiated().version(api);
  }

  supports(api: ApiSpec, minVersion = 0): boolean {
    return this.negotiated().highest(api, minVersion) !== undefined;
  }

  /** The broker's own version range for an API key, as its ApiVersions response listed it. */
  brokerVersions(apiKey: number): { min: number; max: number } | undefined {
    return this.negotiated().brokerRange(apiKey);
  }

  request<A extends ApiSpec>(api: A, body: RequestOf<A>, options?: { version?: number; timeoutMs?: number }): Promise<ResponseOf<A>> {
    if (this.versions === undefined) return this.connect().then(() => this.request(api, body, options));
    return this.enqueue(api, body, options?.version, options?.timeoutMs ?? this.options.requestTimeoutMs, true);
  }

  requestWithoutResponse<A extends ApiSpec>(api: A, body: RequestOf<A>, options?: { version?: number }): Promise<void> {
    if (this.versions === undefined) return this.connect().then(() => this.requestWithoutResponse(api, body, options));
    return this.enqueue(api, body, options?.version, this.options.requestTimeoutMs, false);
  }

  /** `listener` runs once when the connection closes: with the failure, or undefined after close(). Returns its unsubscribe. */
  onClose(listener: CloseListener): () => void {
    if (this.closedBy !== undefined) {
      queueMicrotask(() => listener(this.closedBy ?? undefined));
      return () => {};
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Closes the socket; whatever is pending is rejected with KafkaConnectionError. */
  close(): Promise<void> {
    this.fail(null);
    return this.closedPromise ?? Promise.resolve();
  }

  private negotiated(): NegotiatedVersions {
    if (this.versions === undefined) throw new KafkaClientError(`${this.label}: API versions are not known before connect()`, { retriable: false });
    return this.versions;
  }

  private enqueue(api: ApiSpec, body: unknown, version: number | undefined, timeoutMs: number, expectResponse: boolean): Promise<any> {
    if (this.closedBy !== undefined) return Promise.reject(this.closedError());
    let frame: Buffer;
    let chosen: number;
    const correlationId = this.takeCorrelationId();
    try {
      chosen = version ?? this.versions!.version(api);
      frame = encodeRequest(api, chosen, correlationId, this.options.clientId, body as RequestOf<ApiSpec>);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const pending = new PendingRequest(api, chosen, correlationId, frame, timeoutMs, expectResponse, resolve, reject);
      if (this.queueHead === this.queue.length && this.inFlight.size < this.options.maxInFlightRequestsPerConnection) this.send(pending);
      else this.queue.push(pending);
    });
  }

  private takeCorrelationId(): number {
    const id = this.nextCorrelationId;
    this.nextCorrelationId = id === 0x7fffffff ? 0 : id + 1;
    return id;
  }

  private send(pending: PendingRequest): void {
    const socket = this.socket!;
    // Frames written in the same tick leave in one writev.
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(this.uncorkBound);
    }
    const frame = pending.frame!;
    pending.frame = undefined;
    if (!pending.expectResponse) {
      socket.write(frame, (error) => (error ? pending.reject(this.closedError(error)) : pending.resolve(undefined)));
      return;
    }
    pending.deadline = Date.now() + pending.timeoutMs;
    this.inFlight.set(pending.correlationId, pending);
    socket.write(frame);
    if (pending.deadline < this.timerDeadline) this.armTimer(pending.deadline);
  }

  /** Sends queued requests while the in-flight limit allows. */
  private pump(): void {
    const limit = this.options.maxInFlightRequestsPerConnection;
    while (this.queueHead < this.queue.length && this.inFlight.size < limit && this.closedBy === undefined) {
      const pending = this.queue[this.queueHead]!;
      this.queue[this.queueHead++] = undefined as unknown as PendingRequest;
      this.send(pending);
    }
    if (this.queueHead === this.queue.length) {
      this.queue.length = 0;
      this.queueHead = 0;
    } else if (this.queueHead > 1024) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.reader.push(chunk);
    } catch (error) {
      this.fail(
        new KafkaConnectionError(`${this.label} sent an unreadable response frame (${(error as Error).message}); closing the connection`, {
          cause: error,
          retriable: false,
        }),
      );
      return;
    }
    for (const frame of frames) {
      if (this.closedBy !== undefined) return;
      this.onFrame(frame);
    }
    this.pump();
  }

  private onFrame(frame: Buffer): void {
    const correlationId = frame.length >= 8 ? responseCorrelationId(frame) : -1;
    const pending = this.inFlight.get(correlationId);
    if (pending === undefined) {
      this.fail(new KafkaConnectionError(`${this.label} answered correlation id ${correlationId}, which no request in flight has; closing the connection`));
      return;
    }
    this.inFlight.delete(correlationId);
    let body: unknown;
    try {
      body = pending.api.apiKey === ApiVersions.apiKey ? decodeApiVersionsResponse(frame, pending.version) : decodeResponse(pending.api, pending.version, frame).body;
    } catch (error) {
      pending.reject(
        new KafkaClientError(`${pending.api.name} v${pending.version} response from ${this.label} could not be decoded: ${(error as Error).message}`, {
          retriable: false,
          cause: error,
        }),
      );
      return;
    }
    pending.resolve(body);
  }

  private armTimer(deadline: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerDeadline = deadline;
    this.timer = setTimeout(this.checkTimeoutsBound, Math.max(0, deadline - Date.now()));
    this.timer.unref();
  }

  /** Rejects a request past its deadline with KafkaTimeoutError and closes the connection; else re-arms for the earliest deadline. */
  private checkTimeouts(): void {
    this.timer = undefined;
    this.timerDeadline = Infinity;
    const now = Date.now();
    let earliest = Infinity;
    for (const pending of this.inFlight.values()) {
      if (pending.deadline <= now) {
        const error = new KafkaTimeoutError(`${pending.api.name} v${pending.version} to ${this.label} got no response within ${pending.timeoutMs} ms; closing the connection`);
        this.inFlight.delete(pending.correlationId);
        pending.reject(error);
        this.fail(new KafkaConnectionError(`connection to ${this.label} closed: a request timed out`, { cause: error }));
        return;
      }
      if (pending.deadline < earliest) earliest = pending.deadline;
    }
    if (earliest !== Infinity) this.armTimer(earliest);
  }

  private async open(): Promise<void> {
    const deadline = Date.now() + this.options.connectTimeoutMs;
    const socket = netConnect({ host: this.host, port: this.port, noDelay: true, keepAlive: true });
    this.socket = socket;
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
    let socketError: Error | undefined;
    socket.on('error', (error) => {
      socketError = error;
    });
    socket.on('close', () => this.fail(socketError ?? new Error('the broker closed the connection')));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const timeout = setTimeout(() => {
      this.fail(new KafkaConnectionError(`could not connect to ${this.label} within ${this.options.connectTimeoutMs} ms (connectTimeoutMs)`));
    }, this.options.connectTimeoutMs);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        this.abortOpen = reject;
      });
      this.versions = await this.negotiateVersions(deadline);
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
      throw this.closedError();
    } finally {
      clearTimeout(timeout);
      this.abortOpen = undefined;
    }
  }

  private async negotiateVersions(deadline: number): Promise<NegotiatedVersions> {
    let version = API_VERSIONS_MAX;
    for (;;) {
      const timeoutMs = Math.max(1, deadline - Date.now());
      const response = await this.enqueue(ApiVersions, API_VERSIONS_REQUEST, version, timeoutMs, true);
      if (response.errorCode === 0) return new NegotiatedVersions(response.apiKeys, this.label);
      const fallback = fallbackApiVersionsVersion(response, version);
      if (response.errorCode !== 35 || fallback === undefined) {
        throw protocolError(response.errorCode, { api: 'ApiVersions', broker: this.label });
      }
      version = fallback;
    }
  }

  /** Marks the connection closed: `null` by the client, else by `cause`; rejects everything pending, tells the listeners. */
  private fail(cause: Error | null): void {
    if (this.closedBy !== undefined) return;
    this.closedBy = cause;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const error = this.closedError();
    this.abortOpen?.(error);
    for (const pending of this.inFlight.values()) pending.reject(error);
    this.inFlight.clear();
    for (let i = this.queueHead; i < this.queue.length; i++) this.queue[i]!.reject(error);
    this.queue.length = 0;
    this.queueHead = 0;
    this.socket?.destroy();
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    for (const listener of listeners) {
      try {
        listener(cause ?? undefined);
      } catch (listenerError) {
        this.options.logger.error(`a close listener of ${this.label} threw`, { error: String(listenerError) });
      }
    }
  }

  private closedError(cause?: Error): KafkaClientError {
    const reason = cause ?? this.closedBy;
    if (reason instanceof KafkaClientError) return reason;
    if (reason === null) return new KafkaConnectionError(`connection to ${this.label} was closed by the client`);
    return new KafkaConnectionError(`connection to ${this.label} failed${reason ? `: ${reason.message}` : ''}`, { cause: reason });
  }
}
