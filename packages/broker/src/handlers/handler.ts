// The contract between the network layer and the API handlers: what a
// handler is, what it is given for each request, and the broker services it
// may use. Handlers live beside this file as `<api>-handler.ts`, each
// registered once in registry.ts.
import type { Logger } from '@kstream/actor';
import type { GroupCoordinator } from '@kstream/group-coordinator';
import type { BrokerConfigValues } from '@kstream/metadata';
import type { ApiSpec, RequestOf, ResponseOf, VersionRange } from '@kstream/protocol';
import type { ProducerIdSource, TransactionCoordinator } from '@kstream/transaction-coordinator';
import type { BrokerMetadata } from '../metadata/broker-metadata.js';
import type { BrokerMetrics } from '../metrics/broker-metrics.js';
import type { ControllerChannel } from '../messages.js';
import type { PeerLinks } from '../peers/peer-links.js';
import type { ReplicaManager } from './../partitions/replica-manager.js';

/**
 * A handler's answer when Kafka sends no response: a Produce with acks=0.
 * The connection still keeps the order of the responses after it.
 */
export const NO_RESPONSE: unique symbol = Symbol('NO_RESPONSE');

/**
 * One API's handler. `versions` defaults to `api.validVersions`; the
 * ApiVersions response is built from the registry of these.
 */
export interface ApiHandler<A extends ApiSpec> {
  readonly api: A;
  /** The versions served; a request in any other version closes its connection. */
  readonly versions?: VersionRange;
  /**
   * The versions ApiVersions claims, when they must differ from `versions`:
   * older versions only, up to the same maximum. Kafka 4 advertises Produce
   * v0–2 it refuses (KAFKA-18659), because clients such as librdkafka < 2.8
   * enable compression only when the broker's Produce range includes them.
   */
  readonly advertisedVersions?: VersionRange;
  /**
   * Answers one request. Per-resource failures are data (Kafka error codes in
   * the response); a thrown error closes the client's connection and is logged.
   */
  handle(request: RequestOf<A>, context: RequestContext<A>): Promise<ResponseOf<A> | typeof NO_RESPONSE>;
}

export interface RequestContext<A extends ApiSpec> {
  readonly api: A;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  /** `host:port` of the client, as the listener names the connection. */
  readonly connectionId: string;
  readonly broker: BrokerServices;
}

/** What a broker offers its handlers. One broker worker's loop owns all of it. */
export interface BrokerServices {
  readonly brokerId: number;
  /** This broker's configs in force (static, then dynamic ones from metadata), parsed, defaults filled in. */
  readonly config: BrokerConfigValues;
  /** This broker's replica of the cluster metadata. */
  readonly metadata: BrokerMetadata;
  /** Asks the controller, the single writer of metadata (CreateTopics, ...). */
  readonly controller: ControllerChannel;
  /** The partition logs this broker hosts. */
  readonly partitions: ReplicaManager;
  /** This broker's channels to the other brokers of the node (the data plane between them). */
  readonly peers: PeerLinks;
  /** The coordinator of the consumer groups whose __consumer_offsets partitions this broker leads. */
  readonly groups: GroupCoordinator;
  /** The coordinator of the transactional ids whose __transaction_state partitions this broker leads. */
  readonly transactions: TransactionCoordinator;
  /** Producer ids in blocks from the controller (the broker's ProducerIdManager): InitProducerId without a transactional id. */
  readonly producerIds: ProducerIdSource;
  readonly logger: Logger;
  /** The broker's Prometheus metrics; every request is counted there (request-dispatch.ts). Absent in tests that build services by hand. */
  readonly metrics?: BrokerMetrics;
}
