// A fuzz run: a node in its own process, fuzzed requests to all three
// brokers over real TCP, health checks between bursts. Well-formed requests
// the broker serves go pipelined over a few long-lived connections and must
// each get a response that decodes with our schema; mutated frames, versions
// advertised but refused, and acks=0 Produce go on a connection of their
// own each, which the broker may close (with a log line saying why) or
// answer. The first problem ends the run with a FuzzFailure naming the seed,
// the request and the command that replays it.
import { decodeResponse, encodeRequest, parseVersionRange } from '@kstream/protocol';
import { mutate, requestSeedFrame } from '../../../packages/protocol/src/frame/frame-fuzz.test-support.js';
import { makeTempDir, removeDir } from '../src/cluster.test-support.js';
import { HealthChecks, mib } from './fuzz-checks.test-support.js';
import type { HealthFigures, HealthLimits } from './fuzz-checks.test-support.js';
import { FuzzConnection } from './fuzz-connection.test-support.js';
import type { Outcome } from './fuzz-connection.test-support.js';
import { FuzzNode } from './fuzz-node.test-support.js';
import { ProbeTopic } from './fuzz-probe.test-support.js';
import { FuzzRandom } from './fuzz-random.test-support.js';
import { RecordBatchSource } from './fuzz-records.test-support.js';
import { RequestGenerator } from './fuzz-requests.test-support.js';
import type { GeneratedRequest } from './fuzz-requests.test-support.js';
import { advertisedApis, createTargets, served } from './fuzz-setup.test-support.js';
import { FuzzSummary } from './fuzz-summary.test-support.js';
import { RawConnection } from './raw-connection.test-support.js';

export interface FuzzOptions {
  readonly seed: number;
  /** Stop after this many requests... */
  readonly requests?: number;
  /** ... or after this long, whichever comes first. */
  readonly seconds?: number;
  /** Health checks after every this many requests (and at the end). */
  readonly checkEvery?: number;
  /** Share of the requests sent as mutated frames. */
  readonly mutatedShare?: number;
  readonly limits?: Partial<HealthLimits>;
  /** A file to write every line of the node's log to; by default only the last ones are kept, for a failure report. */
  readonly nodeLogFile?: string;
  /** Progress lines (seed, checks); the summary is the result's. */
  readonly log?: (line: string) => void;
}

export interface FuzzResult {
  readonly seed: number;
  readonly requests: number;
  readonly seconds: number;
  readonly summary: FuzzSummary;
  readonly figures: HealthFigures;
  /** APIs the broker advertises, by name. */
  readonly apis: readonly string[];
}

export class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure';
}

/** Long-lived connections per broker for the requests it serves. */
const LANES_PER_BROKER = 2;
/** Requests in flight per lane. */
const WINDOW = 8;
/** One-shot connections open at once. */
const ONE_SHOT_SLOTS = 6;
/** A request the broker serves must be answered within this. */
const RESPONSE_TIMEOUT_MS = 30_000;
/** A one-shot connection is given this long to be answered or closed; silence is allowed there. */
const ONE_SHOT_WAIT_MS = 2_000;
/**
 * The APIs a broker forwards to the controller, one thread for the whole
 * node: one of them kept busy stalls requests to every broker, so an
 * unanswered request's failure lists the last CULPRITS_LISTED of them sent
 * before it...
 */
const CONTROLLER_APIS = new Set(['CreateTopics', 'DeleteTopics', 'CreatePartitions', 'AlterConfigs', 'IncrementalAlterConfigs', 'FindCoordinator']);
const CULPRITS_LISTED = 5;
/** ... out of the requests remembered (more are sent while the unanswered one waits out its timeout). */
const RECENT_REQUESTS = 2_000;
/** How long a failed run waits for the node's own account of its state. */
const FAILURE_DESCRIBE_TIMEOUT_MS = 5_000;
/** A broker's log line about a close may trail the close itself. */
const CLOSE_LOG_WAIT_MS = 5_000;
const DEFAULT_LIMITS: HealthLimits = {
  controlTimeoutMs: 10_000,
  heapLimitBytes: 512 * 1024 * 1024,
  rssLimitBytes: 2048 * 1024 * 1024,
};
/** The node's main heap cap: above the checked bound, so the check fails first and a runaway controller still dies soon. */
const NODE_HEAP_CAP_MB = 1536;

interface Sent {
  readonly index: number;
  readonly request: GeneratedRequest;
  readonly brokerId: number;
  readonly mutated: boolean;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const dataDir = await makeTempDir('fuzz');
  try {
    const node = await FuzzNode.start(dataDir, NODE_HEAP_CAP_MB, options.nodeLogFile);
    const run = new FuzzRun(node, options);
    try {
      return await run.run();
    } catch (error) {
      // A failed node may not stop cleanly (a blocked controller ignores the request): end it at once.
      await node.kill();
      throw error;
    } finally {
      run.closeConnections();
      await node.stop();
    }
  } finally {
    await removeDir(dataDir);
  }
}

class FuzzRun {
  readonly #random: FuzzRandom;
  readonly #summary = new FuzzSummary();
  readonly #ports: Map<number, number>;
  readonly #log: (line: string) => void;
  readonly #lanes: Array<{ conn: FuzzConnection; brokerId: number; inFlight: Set<Promise<void>> }> = [];
  readonly #oneShots = new Set<Promise<void>>();
  /** Lanes whose close has been blamed on a request already. */
  readonly #blamed = new WeakSet<FuzzConnection>();
  /** Connections a broker closed, whose log line has not been seen yet. */
  readonly #closesToExplain: Array<{ port: number; sent: Sent }> = [];
  /** The last requests sent, newest last: when one goes unanswered, the culprit may be one of them (a controller kept busy). */
  readonly #recent: Sent[] = [];
  /** The first problem seen, with the request or check it came from. */
  #failure: string | null = null;
  #index = 0;

  constructor(
    private readonly node: FuzzNode,
    private readonly options: FuzzOptions,
  ) {
    this.#random = new FuzzRandom(options.seed);
    this.#ports = new Map(node.brokers.map((b) => [b.id, b.port]));
    this.#log = options.log ?? (() => {});
  }

  async run(): Promise<FuzzResult> {
    const { seed } = this.options;
    const requests = this.options.requests ?? Number.POSITIVE_INFINITY;
    const deadline = performance.now() + (this.options.seconds ?? Number.POSITIVE_INFINITY) * 1000;
    const checkEvery = this.options.checkEvery ?? 250;
    const mutatedShare = this.options.mutatedShare ?? 0.2;
    const started = performance.now();
    this.#log(`fuzz: seed ${seed} (replay: npm run fuzz -- --seed ${seed}${Number.isFinite(requests) ? ` --requests ${requests}` : ''})`);

    const probe = new ProbeTopic(this.#ports);
    const { apis, generator } = await this.#setUp(probe);
    const checks = new HealthChecks(this.node, probe, { ...DEFAULT_LIMITS, ...this.options.limits });
    await this.#guard('the first health check', () => checks.check());

    while (this.#failure === null && this.#index < requests && performance.now() < deadline) {
      this.#index++;
      const mutated = this.#random.chance(mutatedShare);
      const request = generator.next(this.#random);
      const brokerId = this.#random.pick([...this.#ports.keys()]);
      await this.#send({ index: this.#index, request, brokerId, mutated });
      if (this.#index % checkEvery === 0) await this.#checkpoint(checks, false);
    }
    if (this.#failure === null) await this.#checkpoint(checks, true);
    if (this.#failure !== null) throw new FuzzFailure(`${this.#failure}\n${await this.#nodeState()}`);

    const result: FuzzResult = {
      seed,
      requests: this.#index,
      seconds: (performance.now() - started) / 1000,
      summary: this.#summary,
      figures: checks.figures,
      apis: apis.map((a) => a.api.name),
    };
    const f = checks.figures;
    this.#log(
      `fuzz: seed ${seed}: ${result.requests} requests in ${result.seconds.toFixed(1)} s, ${f.checks} health checks passed; ` +
        `worst: node main heap ${mib(f.maxHeapUsedBytes)}, rss ${mib(f.maxRssBytes)}, main loop delay ${f.maxLoopDelayMs.toFixed(0)} ms, describe ${f.maxDescribeMs.toFixed(0)} ms`,
    );
    return result;
  }

  closeConnections(): void {
    for (const lane of this.#lanes) lane.conn.close();
  }

  async #setUp(probe: ProbeTopic) {
    const admin = await RawConnection.open(this.#ports.get(1)!);
    try {
      const apis = await advertisedApis(admin);
      await probe.create();
      const targets = await createTargets(admin, [...this.#ports.keys()]);
      const batches = await RecordBatchSource.build(this.#random);
      for (const [brokerId, port] of this.#ports) {
        for (let i = 0; i < LANES_PER_BROKER; i++) this.#lanes.push({ conn: await FuzzConnection.open(port), brokerId, inFlight: new Set() });
      }
      return { apis, generator: new RequestGenerator(apis, targets, batches) };
    } finally {
      admin.close();
    }
  }

  async #send(sent: Sent): Promise<void> {
    const { api, version, answered } = sent.request;
    this.#recent.push(sent);
    if (this.#recent.length > RECENT_REQUESTS) this.#recent.shift();
    this.#summary.sent(api.name, sent.mutated);
    let frame: Buffer;
    try {
      frame = sent.mutated ? this.#mutatedFrame(sent) : wellFormedFrame(sent);
    } catch (error) {
      this.#fail(sent, `the generated request does not encode (a fuzzer bug): ${(error as Error).message}`);
      return;
    }
    if (sent.mutated || !answered || !served(api.apiKey, version)) {
      while (this.#oneShots.size >= ONE_SHOT_SLOTS) await Promise.race(this.#oneShots);
      const task: Promise<void> = this.#oneShot(sent, frame).finally(() => this.#oneShots.delete(task));
      this.#oneShots.add(task);
      return;
    }
    const lane = this.#laneFor(sent.brokerId);
    if (lane.conn.closed) lane.conn = await FuzzConnection.open(this.#ports.get(lane.brokerId)!);
    while (lane.inFlight.size >= WINDOW) await Promise.race(lane.inFlight);
    const conn = lane.conn;
    const task: Promise<void> = conn
      .send(frame, sent.index, RESPONSE_TIMEOUT_MS)
      .then((outcome) => this.#onServedOutcome(sent, conn, outcome))
      .finally(() => lane.inFlight.delete(task));
    lane.inFlight.add(task);
  }

  #laneFor(brokerId: number) {
    const lanes = this.#lanes.filter((l) => l.brokerId === brokerId);
    return lanes.reduce((a, b) => (a.inFlight.size <= b.inFlight.size ? a : b));
  }

  #mutatedFrame(sent: Sent): Buffer {
    const { api, version, body } = sent.request;
    // Mutations start from bytes our schema can write: a version it does not define is sent as its oldest.
    const seed = requestSeedFrame(api, Math.max(version, parseVersionRange(api.validVersions).min), sent.index, body);
    const out = Buffer.alloc(seed.frame.length + 128);
    return Buffer.from(out.subarray(0, mutate(seed, out, this.#random.next, api.apiKey)));
  }

  /** A served, answered, well-formed request: a response that decodes, nothing else. */
  async #onServedOutcome(sent: Sent, conn: FuzzConnection, outcome: Outcome): Promise<void> {
    const { api, version } = sent.request;
    if (conn.strays.length > 0) this.#fail(sent, `broker ${sent.brokerId} sent ${conn.strays.join('; ')}`);
    switch (outcome.kind) {
      case 'answered':
        try {
          const errors = this.#summary.answered(api.name, decodeResponse(api, version, outcome.frame).body);
          // The node's disk is healthy: a storage error is the broker's own failure (ENAMETOOLONG on a legal topic name was one).
          if (errors.has('KAFKA_STORAGE_ERROR')) this.#fail(sent, `broker ${sent.brokerId} answered KAFKA_STORAGE_ERROR on a healthy disk`);
        } catch (error) {
          this.#fail(sent, `the response does not decode with our ${api.name} v${version} schema: ${(error as Error).message}`);
        }
        return;
      case 'closed':
        // Only the first request a close cut off is to blame; the others were behind it.
        if (!this.#blamed.has(conn)) {
          this.#blamed.add(conn);
          const reason = await this.#waitForCloseReason(sent.brokerId, conn.localPort);
          this.#fail(sent, `broker ${sent.brokerId} closed the connection instead of answering; its log says: ${reason ?? '(nothing)'}`);
        }
        return;
      case 'silent': {
        const earlier = this.#recent
          .filter((s) => s.index < sent.index && CONTROLLER_APIS.has(s.request.api.name))
          .slice(-CULPRITS_LISTED)
          .map((s) => `\n    #${s.index} ${s.request.api.name} v${s.request.version} to broker ${s.brokerId}: ${describeBody(s.request.body).slice(0, 300)}`);
        this.#fail(
          sent,
          `broker ${sent.brokerId} did not answer within ${outcome.afterMs} ms` +
            (earlier.length === 0 ? '' : `; the last requests for the controller before it (one may keep it busy):${earlier.join('')}`),
        );
        return;
      }
    }
  }

  async #oneShot(sent: Sent, frame: Buffer): Promise<void> {
    let conn: FuzzConnection;
    try {
      conn = await FuzzConnection.open(this.#ports.get(sent.brokerId)!);
    } catch (error) {
      this.#fail(sent, `broker ${sent.brokerId} refused a new connection: ${(error as Error).message}`);
      return;
    }
    const { api, version, answered } = sent.request;
    const mustClose = !sent.mutated && !served(api.apiKey, version);
    const complete = frame.length >= 4 && frame.readInt32BE(0) === frame.length - 4;
    const outcome = await conn.send(frame, null, mustClose ? RESPONSE_TIMEOUT_MS : complete ? ONE_SHOT_WAIT_MS : ONE_SHOT_WAIT_MS / 4);
    conn.close();
    if (outcome.kind === 'closed') {
      this.#summary.closed(api.name);
      this.#closesToExplain.push({ port: conn.localPort, sent });
      return;
    }
    if (outcome.kind === 'silent') this.#summary.silent(api.name);
    if (sent.mutated) return;
    if (mustClose) {
      this.#fail(
        sent,
        `broker ${sent.brokerId} should close the connection on ${api.name} v${version}, a version it advertises but refuses; it ${outcome.kind === 'answered' ? 'answered' : 'stayed silent'}`,
      );
    } else if (!answered && outcome.kind === 'answered') {
      this.#fail(sent, `broker ${sent.brokerId} answered a Produce with acks=0`);
    }
  }

  async #checkpoint(checks: HealthChecks, final: boolean): Promise<void> {
    await this.#drain();
    if (this.#failure !== null) return;
    await this.#explainCloses();
    if (this.#failure !== null) return;
    await this.#guard(final ? 'the final health check' : `the health check after request #${this.#index}`, () => checks.check(final));
    if (this.#failure === null) this.#log(`fuzz: request #${this.#index}: health check ${checks.figures.checks} passed`);
  }

  async #drain(): Promise<void> {
    await Promise.all([...this.#oneShots, ...this.#lanes.flatMap((l) => [...l.inFlight])]);
  }

  /** Every connection a broker closed has a log line saying why. */
  async #explainCloses(): Promise<void> {
    for (const { port, sent } of this.#closesToExplain.splice(0)) {
      if ((await this.#waitForCloseReason(sent.brokerId, port)) === undefined) {
        this.#fail(sent, `broker ${sent.brokerId} closed the connection from port ${port} without a log line saying why`);
        return;
      }
    }
  }

  async #waitForCloseReason(brokerId: number, port: number): Promise<string | undefined> {
    const deadline = performance.now() + CLOSE_LOG_WAIT_MS;
    for (;;) {
      const reason = this.node.takeCloseReason(brokerId, port);
      if (reason !== undefined || performance.now() > deadline) return reason;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async #guard(what: string, check: () => Promise<void>): Promise<void> {
    try {
      await check();
    } catch (error) {
      this.#failure ??=
        `fuzz failure, seed ${this.options.seed}, ${what}: ${(error as Error).message}\n` + `  replay: npm run fuzz -- --seed ${this.options.seed} --requests ${this.#index}`;
    }
  }

  #fail(sent: Sent, problem: string): void {
    if (this.#failure !== null) return;
    const { api, version, body } = sent.request;
    this.#failure =
      `fuzz failure, seed ${this.options.seed}, request #${sent.index}: ${problem}\n` +
      `  request: ${sent.mutated ? 'mutated frame of ' : ''}${api.name} v${version} to broker ${sent.brokerId}, correlationId ${sent.index}: ${describeBody(body)}\n` +
      `  replay: npm run fuzz -- --seed ${this.options.seed} --requests ${sent.index}`;
  }

  /** The node as the failure left it: alive or not, answering its control API or not, and its last log lines. */
  async #nodeState(): Promise<string> {
    let state: string;
    if (this.node.exit !== null) state = `ended (${this.node.exit})`;
    else {
      try {
        const health = await this.node.describe(FAILURE_DESCRIBE_TIMEOUT_MS);
        const brokers = health.node.brokers.map((b) => `broker ${b.id} ${b.state}${b.alive ? '' : ' (fenced)'}`).join(', ');
        state = `running, ${brokers}; main heap ${mib(health.heapUsedBytes)}, rss ${mib(health.rssBytes)}, main loop held up to ${health.loopDelayMaxMs.toFixed(0)} ms`;
      } catch (error) {
        state = `running, but ${(error as Error).message}`;
      }
    }
    return `  node process: ${state}; its last log lines:\n${this.node.recentLogs
      .slice(-30)
      .map((l) => `    ${l}`)
      .join('\n')}`;
  }
}

/**
 * The request's frame. A version the broker advertises but our schema does
 * not define (Produce v0–2, refused at the header) is sent as the schema's
 * oldest version under that version number: only the header is ever read.
 */
function wellFormedFrame({ request, index }: Sent): Buffer {
  const { api, version, body } = request;
  const oldest = parseVersionRange(api.validVersions).min;
  if (version >= oldest) return encodeRequest(api, version, index, 'kstream-fuzz', body as never);
  const frame = encodeRequest(api, oldest, index, 'kstream-fuzz', body as never);
  frame.writeInt16BE(version, REQUEST_API_VERSION_AT);
  return frame;
}

/** Where apiVersion sits in a request frame: after the size prefix and apiKey. */
const REQUEST_API_VERSION_AT = 6;

/** A request body as one line, long values cut short, so a failure shows what was sent. */
export function describeBody(body: unknown): string {
  const text = JSON.stringify(body, (_key, value: unknown) => {
    if (typeof value === 'bigint') return `${value}n`;
    if (value !== null && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') return `<${(value as { data: unknown[] }).data.length} bytes>`;
    if (typeof value === 'string' && value.length > 60) return `${value.slice(0, 40)}...(${value.length} chars)`;
    if (Array.isArray(value) && value.length > 5) return [...value.slice(0, 5), `...(${value.length} items)`];
    return value;
  });
  return text.length > 2000 ? `${text.slice(0, 2000)}...` : text;
}
