import { ALL_APIS, ApiVersions, FindCoordinator, inVersionRange } from '@kstream/protocol';
import type { ApiSpec } from '@kstream/protocol';
import type { BrokerMetadata } from '../metadata/broker-metadata.js';
import { claimFault, faultMatches } from './request-fault.js';
import type { RequestFault } from './request-fault.js';
import { PARTITIONED_APIS, requestPartitions } from './partitioned-apis.js';

/** What a request gets from the faults: nothing, an error (for all of it, or `partitioned`: the matching partitions only), a delay, or a dropped connection. */
export type FaultDecision =
  | { readonly kind: 'none' }
  | { readonly kind: 'error'; readonly errorCode: number; readonly fault: RequestFault }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'drop'; readonly fault: RequestFault };

const NONE: FaultDecision = { kind: 'none' };

/**
 * Why an error fault cannot be injected for `apiName`, or null: its
 * response must carry an error code for the whole request (a top-level
 * errorCode, FindCoordinator's per key) or per partition (PARTITIONED_APIS).
 */
export function errorFaultRefusal(apiName: string | undefined, scoped: boolean): string | null {
  if (apiName === undefined) return 'an error fault names its API (api: "Produce", ...)';
  const api = ALL_APIS.find((candidate) => candidate.name === apiName);
  if (api === undefined) return `no Kafka API is named ${JSON.stringify(apiName)}`;
  if (PARTITIONED_APIS.includes(apiName)) return null;
  if (scoped) return `topic and partition scope only ${PARTITIONED_APIS.join(', ')}: ${apiName} has no per-partition results`;
  if (api === FindCoordinator || topLevelErrorCode(api) !== undefined) return null;
  return `${apiName}'s response has no error code for the whole request: inject errors into ${PARTITIONED_APIS.join(', ')} or an API with a top-level errorCode`;
}

export function topLevelErrorCode(api: ApiSpec): string | undefined {
  return api.response.find((field) => field.name === 'errorCode')?.versions;
}

/**
 * The faults injected into one broker's requests, in injection order; the
 * node replaces the list (SetRequestFaults). The first matching fault with
 * uses left decides; its use is taken then. Owned by the broker worker's loop.
 */
export class RequestFaults {
  readonly #brokerId: number;
  #faults: readonly RequestFault[] = [];
  #counters = new Int32Array(new SharedArrayBuffer(0));

  constructor(brokerId: number) {
    this.#brokerId = brokerId;
  }

  /** The faults from now on, their counts in `counters` (the node's, shared). */
  set(faults: readonly RequestFault[], counters: SharedArrayBuffer): void {
    this.#faults = faults;
    this.#counters = new Int32Array(counters);
  }

  get empty(): boolean {
    return this.#faults.length === 0;
  }

  /** The fault for one request, its use taken; ApiVersions is never faulted (a client could not connect at all). */
  decide(api: ApiSpec, apiVersion: number, clientId: string | null, body: Record<string, unknown>, metadata: BrokerMetadata): FaultDecision {
    if (this.#faults.length === 0 || api === ApiVersions) return NONE;
    const partitions = requestPartitions(api.name, body, metadata);
    const request = { api: api.name, clientId, brokerId: this.#brokerId, ...(partitions === undefined ? {} : { partitions }) };
    for (const fault of this.#faults) {
      if (!faultMatches(fault, request)) continue;
      if (fault.action.kind === 'error' && !answersErrorAt(api, apiVersion)) continue;
      if (!claimFault(this.#counters, fault)) continue;
      switch (fault.action.kind) {
        case 'error':
          return { kind: 'error', errorCode: fault.action.errorCode, fault };
        case 'delay':
          return { kind: 'delay', ms: fault.action.ms };
        case 'drop':
          return { kind: 'drop', fault };
      }
    }
    return NONE;
  }
}

/** Whether an error fault can answer this API at this version (a top-level errorCode, or per partition or per coordinator key). */
function answersErrorAt(api: ApiSpec, apiVersion: number): boolean {
  if (PARTITIONED_APIS.includes(api.name) || api === FindCoordinator) return true;
  return inVersionRange(topLevelErrorCode(api), apiVersion);
}
