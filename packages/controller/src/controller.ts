import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Mailbox, stderrLogger, unknownMessage } from '@kstream/actor';
import type { Endpoint, Logger } from '@kstream/actor';
import { BrokerLiveness } from './broker-liveness.js';
import type {
  BrokerHeartbeatReply,
  BrokerHeartbeatRequest,
  BrokerRegistrationReply,
  BrokerRegistrationRequest,
  ControllerReplies,
  ControllerRequest,
} from './messages.js';
import { MetadataLog } from './metadata-log.js';
import type { MetadataRecord } from './metadata-records.js';
import { MetadataState } from './metadata-state.js';
import type { BrokerRegistration } from './metadata-state.js';

export interface ControllerOptions {
  /** `<data-dir>/controller`; the metadata log is `metadata.log` inside it. */
  readonly dir: string;
  /** A broker not heard from for this long is fenced (Kafka's broker.session.timeout.ms). */
  readonly sessionTimeoutMs?: number;
  readonly logger?: Logger;
}

export interface ControllerDescription {
  readonly clusterId: string;
  /** Offset the next metadata record will get: how many changes the log holds. */
  readonly metadataOffset: number;
  readonly brokers: readonly BrokerRegistration[];
}

export const DEFAULT_SESSION_TIMEOUT_MS = 9_000;

/**
 * The controller actor: the single writer of cluster metadata. Each change is
 * decided here, appended to the metadata log, and only then applied to the
 * state, one change at a time. Brokers reach it over one channel each
 * (`attachBroker`); the node calls it directly on the main thread it runs on.
 */
export class Controller {
  readonly #log: MetadataLog;
  readonly #state: MetadataState;
  readonly #liveness: BrokerLiveness;
  readonly #logger: Logger;
  readonly #channels = new Map<number, Mailbox<ControllerRequest>>();
  readonly #livenessTimer: NodeJS.Timeout;
  // Every change waits for the previous one, so records are decided against
  // the state all earlier records produced.
  #serial: Promise<unknown> = Promise.resolve();

  private constructor(log: MetadataLog, state: MetadataState, sessionTimeoutMs: number, logger: Logger) {
    this.#log = log;
    this.#state = state;
    this.#logger = logger;
    this.#liveness = new BrokerLiveness(sessionTimeoutMs);
    // Brokers alive in the log get one session to show up again, as after a
    // controller failover in Kafka.
    const now = performance.now();
    for (const broker of state.brokers.values()) if (!broker.fenced) this.#liveness.touch(broker.brokerId, now);
    this.#livenessTimer = setInterval(() => this.#fenceExpired(), Math.max(10, Math.min(1000, sessionTimeoutMs / 4)));
    this.#livenessTimer.unref();
  }

  /** Opens the metadata log in `options.dir`, replays it, and starts a new cluster id if the log is empty. */
  static async open(options: ControllerOptions): Promise<Controller> {
    const logger = options.logger ?? stderrLogger;
    const state = new MetadataState();
    const log = await MetadataLog.open(join(options.dir, 'metadata.log'), (record) => state.apply(record), logger);
    const controller = new Controller(log, state, options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS, logger);
    if (state.clusterId === undefined) {
      await controller.#commit({ type: 'ClusterId', clusterId: newClusterId() });
    }
    return controller;
  }

  get clusterId(): string {
    return this.#state.clusterId!;
  }

  /**
   * Serves broker `brokerId`'s requests arriving on `port`, replacing the
   * channel of an earlier incarnation.
   */
  attachBroker(brokerId: number, port: Endpoint): void {
    this.#channels.get(brokerId)?.close();
    const mailbox = new Mailbox<ControllerRequest>(port, {
      name: `broker-${brokerId}`,
      logger: this.#logger,
      handle: (msg) => {
        if (msg.brokerId !== brokerId) {
          throw new Error(`broker ${brokerId}'s channel carried a ${msg.type} for broker ${msg.brokerId}`);
        }
        return this.handle(msg);
      },
    });
    this.#channels.set(brokerId, mailbox);
  }

  /**
   * The broker's worker is gone (it crashed or was stopped): stop serving its
   * channel and fence it now rather than after its session times out.
   */
  async detachBroker(brokerId: number, reason: string): Promise<void> {
    this.#channels.get(brokerId)?.close();
    this.#channels.delete(brokerId);
    this.#liveness.forget(brokerId);
    const brokerEpoch = this.#state.broker(brokerId)?.brokerEpoch;
    if (brokerEpoch !== undefined) await this.#serialize(() => this.#fence(brokerId, brokerEpoch, reason));
  }

  handle(msg: ControllerRequest): Promise<ControllerReplies[ControllerRequest['type']]> {
    return this.#serialize(async () => {
      switch (msg.type) {
        case 'BrokerRegistration':
          return this.#register(msg);
        case 'BrokerHeartbeat':
          return this.#heartbeat(msg);
        default:
          return unknownMessage(msg);
      }
    });
  }

  describe(): ControllerDescription {
    return {
      clusterId: this.clusterId,
      metadataOffset: this.#log.nextOffset,
      brokers: [...this.#state.brokers.values()].sort((a, b) => a.brokerId - b.brokerId),
    };
  }

  /** Stops serving brokers, lets the change in progress finish, and closes the metadata log. */
  async close(): Promise<void> {
    clearInterval(this.#livenessTimer);
    for (const mailbox of this.#channels.values()) mailbox.close();
    this.#channels.clear();
    await this.#serial.catch(() => undefined);
    await this.#log.close();
  }

  async #register(msg: BrokerRegistrationRequest): Promise<BrokerRegistrationReply> {
    const brokerEpoch = this.#log.nextOffset;
    await this.#commit({ type: 'RegisterBroker', brokerId: msg.brokerId, brokerEpoch, host: msg.host, port: msg.port });
    this.#liveness.touch(msg.brokerId, performance.now());
    this.#logger.info(`controller: broker ${msg.brokerId} registered at ${msg.host}:${msg.port}`, { brokerEpoch });
    return { brokerEpoch, clusterId: this.clusterId };
  }

  #heartbeat(msg: BrokerHeartbeatRequest): BrokerHeartbeatReply {
    const current = this.#state.broker(msg.brokerId);
    if (current === undefined || current.fenced || current.brokerEpoch !== msg.brokerEpoch) return { isFenced: true };
    this.#liveness.touch(msg.brokerId, performance.now());
    return { isFenced: false };
  }

  /** Fences `brokerEpoch` of the broker, unless a newer incarnation registered since it was chosen. */
  async #fence(brokerId: number, brokerEpoch: number, reason: string): Promise<void> {
    const current = this.#state.broker(brokerId);
    if (current === undefined || current.fenced || current.brokerEpoch !== brokerEpoch) return;
    await this.#commit({ type: 'FenceBroker', brokerId, brokerEpoch, reason });
    this.#logger.info(`controller: broker ${brokerId} fenced: ${reason}`, { brokerEpoch });
  }

  #fenceExpired(): void {
    for (const brokerId of this.#liveness.expired(performance.now())) {
      this.#liveness.forget(brokerId);
      const brokerEpoch = this.#state.broker(brokerId)?.brokerEpoch;
      if (brokerEpoch === undefined) continue;
      this.#serialize(() => this.#fence(brokerId, brokerEpoch, 'no heartbeat within the session timeout')).catch(
        (error: unknown) => this.#logger.error(`controller: could not fence broker ${brokerId}`, { error }),
      );
    }
  }

  async #commit(record: MetadataRecord): Promise<void> {
    await this.#log.append(record);
    this.#state.apply(record);
  }

  #serialize<T>(change: () => T | Promise<T>): Promise<T> {
    const result = this.#serial.then(change, change);
    this.#serial = result.catch(() => undefined);
    return result;
  }
}

/** A cluster id in Kafka's form: a random UUID as 22 characters of base64url. */
function newClusterId(): string {
  return Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
}
