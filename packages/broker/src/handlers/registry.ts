// Every API this broker serves, registered once: the network layer dispatches
// through the registry and ApiVersions advertises exactly it, so the versions
// a broker claims and the versions it handles cannot drift apart. The one
// deliberate gap is declared on the handler itself (`advertisedVersions`:
// old versions claimed but refused, as Kafka 4 does for Produce v0–2).
import type { ApiSpec } from '@kstream/protocol';
import { parseVersionRange } from '@kstream/protocol';
import { alterConfigsHandler } from './alter-configs-handler.js';
import { alterPartitionReassignmentsHandler } from './alter-partition-reassignments-handler.js';
import { apiVersionsHandlerFor } from './api-versions-handler.js';
import { createPartitionsHandler } from './create-partitions-handler.js';
import { createTopicsHandler } from './create-topics-handler.js';
import { deleteTopicsHandler } from './delete-topics-handler.js';
import { describeClusterHandler } from './describe-cluster-handler.js';
import { describeConfigsHandler } from './describe-configs-handler.js';
import { electLeadersHandler } from './elect-leaders-handler.js';
import type { ApiHandler } from './handler.js';
import { incrementalAlterConfigsHandler } from './incremental-alter-configs-handler.js';
import { listPartitionReassignmentsHandler } from './list-partition-reassignments-handler.js';
import { metadataHandler } from './metadata-handler.js';
import { deleteRecordsHandler } from './delete-records-handler.js';
import { describeLogDirsHandler } from './describe-log-dirs-handler.js';
import { fetchHandler } from './fetch-handler.js';
import { findCoordinatorHandler } from './find-coordinator-handler.js';
import { listOffsetsHandler } from './list-offsets-handler.js';
import { offsetForLeaderEpochHandler } from './offset-for-leader-epoch-handler.js';
import { produceHandler } from './produce-handler.js';
import { deleteGroupsHandler } from './delete-groups-handler.js';
import { describeGroupsHandler } from './describe-groups-handler.js';
import { heartbeatHandler } from './heartbeat-handler.js';
import { joinGroupHandler } from './join-group-handler.js';
import { leaveGroupHandler } from './leave-group-handler.js';
import { listGroupsHandler } from './list-groups-handler.js';
import { offsetCommitHandler } from './offset-commit-handler.js';
import { offsetDeleteHandler } from './offset-delete-handler.js';
import { offsetFetchHandler } from './offset-fetch-handler.js';
import { syncGroupHandler } from './sync-group-handler.js';
import { addOffsetsToTxnHandler } from './add-offsets-to-txn-handler.js';
import { addPartitionsToTxnHandler } from './add-partitions-to-txn-handler.js';
import { describeProducersHandler } from './describe-producers-handler.js';
import { describeTransactionsHandler } from './describe-transactions-handler.js';
import { endTxnHandler } from './end-txn-handler.js';
import { initProducerIdHandler } from './init-producer-id-handler.js';
import { listTransactionsHandler } from './list-transactions-handler.js';
import { txnOffsetCommitHandler } from './txn-offset-commit-handler.js';
import { writeTxnMarkersHandler } from './write-txn-markers-handler.js';

/** A handler of any API, as a registry holds them. */
export type AnyApiHandler = ApiHandler<ApiSpec>;

/** One entry of the ApiVersions response. */
export interface AdvertisedApi {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/**
 * A set of handlers, one per API key, always with ApiVersions (every Kafka
 * broker serves it; it advertises the registry it belongs to).
 */
export class HandlerRegistry {
  readonly #byKey = new Map<number, AnyApiHandler>();
  /** The handled versions of every registered API, by API key. */
  readonly advertised: readonly AdvertisedApi[];

  constructor(handlers: readonly AnyApiHandler[]) {
    for (const handler of [apiVersionsHandlerFor(() => this.advertised), ...handlers]) {
      const { apiKey, name } = handler.api;
      if (this.#byKey.has(apiKey)) throw new Error(`two handlers registered for ${name} (apiKey ${apiKey})`);
      const { min, max } = parseVersionRange(handledVersions(handler));
      const valid = parseVersionRange(handler.api.validVersions);
      if (min < valid.min || max > valid.max) {
        throw new Error(`the ${name} handler's versions ${handler.versions} exceed the schema's ${handler.api.validVersions}`);
      }
      const advertised = parseVersionRange(advertisedVersions(handler));
      if (advertised.min > min || advertised.max !== max) {
        throw new Error(`the ${name} handler's advertised versions ${handler.advertisedVersions} must cover its versions ${handledVersions(handler)} and add only older ones`);
      }
      this.#byKey.set(apiKey, handler);
    }
    this.advertised = [...this.#byKey.values()]
      .map((handler) => {
        const { min, max } = parseVersionRange(advertisedVersions(handler));
        return { apiKey: handler.api.apiKey, minVersion: min, maxVersion: max };
      })
      .sort((a, b) => a.apiKey - b.apiKey);
  }

  /** The handler of `apiKey`, or undefined when this broker does not serve that API. */
  handlerFor(apiKey: number): AnyApiHandler | undefined {
    return this.#byKey.get(apiKey);
  }
}

/** The versions `handler` serves: its own range, or its API's validVersions. */
export function handledVersions(handler: AnyApiHandler): string {
  return handler.versions ?? handler.api.validVersions;
}

/** The versions ApiVersions claims for `handler`: its advertisedVersions, else the versions it serves. */
export function advertisedVersions(handler: AnyApiHandler): string {
  return handler.advertisedVersions ?? handledVersions(handler);
}

/** The handlers of a kstream broker. */
export const brokerHandlers = new HandlerRegistry([
  metadataHandler,
  describeClusterHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  createPartitionsHandler,
  describeConfigsHandler,
  alterConfigsHandler,
  incrementalAlterConfigsHandler,
  electLeadersHandler,
  alterPartitionReassignmentsHandler,
  listPartitionReassignmentsHandler,
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  deleteRecordsHandler,
  describeLogDirsHandler,
  offsetForLeaderEpochHandler,
  findCoordinatorHandler,
  joinGroupHandler,
  syncGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  offsetCommitHandler,
  offsetFetchHandler,
  offsetDeleteHandler,
  listGroupsHandler,
  describeGroupsHandler,
  deleteGroupsHandler,
  initProducerIdHandler,
  addPartitionsToTxnHandler,
  addOffsetsToTxnHandler,
  endTxnHandler,
  txnOffsetCommitHandler,
  writeTxnMarkersHandler,
  describeTransactionsHandler,
  listTransactionsHandler,
  describeProducersHandler,
]);
