import { errorFaultRefusal, FAULT_SLOTS, faultCounters, faultRemaining, UNLIMITED } from '@kstream/broker';
import type { RequestFault, RequestFaultAction } from '@kstream/broker';
import { ErrorCode, errorInfo } from '@kstream/protocol';
import type { DelayResponsesOptions, DropConnectionsOptions, FaultDescription, FaultScope, InjectErrorsOptions } from './fault-options.js';

/**
 * The node's faults on demand: the list every broker worker holds (sent
 * whole on each change and to each worker that starts), with remaining
 * counts in shared memory (`counters`, one Int32 slot per fault, reused
 * after a clear) so "the next N requests" counts across brokers.
 * Owned by the node's (main) thread.
 */
export class NodeFaults {
  /** Handed to each broker worker in its workerData. */
  readonly counters = faultCounters();
  readonly #view = new Int32Array(this.counters);
  readonly #apply: (faults: readonly RequestFault[]) => Promise<void>;
  #faults: RequestFault[] = [];
  #nextId = 1;

  /** `apply` hands the list to every running broker and resolves once each has it. */
  constructor(apply: (faults: readonly RequestFault[]) => Promise<void>) {
    this.#apply = apply;
  }

  get current(): readonly RequestFault[] {
    return this.#faults;
  }

  injectErrors(options: InjectErrorsOptions): Promise<FaultDescription> {
    const errorCode = errorCodeOf(options.errorCode);
    const refusal = errorFaultRefusal(options.api, options.topic !== undefined || options.partition !== undefined);
    if (refusal !== null) throw new Error(`injectErrors: ${refusal}`);
    return this.#add({ kind: 'error', errorCode }, options, countOf('injectErrors', options.count ?? 1));
  }

  delayResponses(options: DelayResponsesOptions): Promise<FaultDescription> {
    if (!Number.isFinite(options.ms) || options.ms < 0) throw new Error(`delayResponses: ms must be a number of milliseconds >= 0, not ${options.ms}`);
    return this.#add({ kind: 'delay', ms: options.ms }, options, options.count === undefined ? UNLIMITED : countOf('delayResponses', options.count));
  }

  dropConnections(options: DropConnectionsOptions): Promise<FaultDescription> {
    return this.#add({ kind: 'drop' }, options, countOf('dropConnections', options.count ?? 1));
  }

  list(): FaultDescription[] {
    return this.#faults.map((fault) => describe(fault, faultRemaining(this.#view, fault)));
  }

  clear(): Promise<void> {
    this.#faults = [];
    return this.#apply(this.#faults);
  }

  async #add(action: RequestFaultAction, scope: FaultScope, count: number): Promise<FaultDescription> {
    if (scope.partition !== undefined && scope.topic === undefined) throw new Error(`a fault scoped to partition ${scope.partition} names its topic too`);
    const slot = this.#faults.length;
    if (slot >= FAULT_SLOTS) throw new Error(`${FAULT_SLOTS} faults are injected: clear them (faults.clear()) before injecting more`);
    const fault: RequestFault = { id: this.#nextId++, action, ...scopeOf(scope), slot };
    Atomics.store(this.#view, slot, count);
    this.#faults = [...this.#faults, fault];
    await this.#apply(this.#faults);
    return describe(fault, count);
  }
}

function scopeOf({ api, clientId, topic, partition, broker }: FaultScope): FaultScope {
  return {
    ...(api === undefined ? {} : { api }),
    ...(clientId === undefined ? {} : { clientId }),
    ...(topic === undefined ? {} : { topic }),
    ...(partition === undefined ? {} : { partition }),
    ...(broker === undefined ? {} : { broker }),
  };
}

function describe(fault: RequestFault, left: number): FaultDescription {
  const { action } = fault;
  const detail = action.kind === 'error' ? { errorCode: action.errorCode, errorName: errorInfo(action.errorCode).name } : action.kind === 'delay' ? { ms: action.ms } : {};
  const { id, api, clientId, topic, partition, broker } = fault;
  return { id, kind: action.kind, ...scopeOf({ api, clientId, topic, partition, broker }), ...detail, remaining: left === UNLIMITED ? null : left };
}

function countOf(call: string, count: number): number {
  if (!Number.isInteger(count) || count < 1 || count > 0x7fffffff) throw new Error(`${call}: count must be a whole number of requests >= 1, not ${count}`);
  return count;
}

function errorCodeOf(given: number | string): number {
  if (typeof given === 'number') {
    if (given === ErrorCode.NONE || errorInfo(given).code !== given || (given !== -1 && errorInfo(given).name === 'UNKNOWN_SERVER_ERROR')) {
      throw new Error(`injectErrors: ${given} is not a Kafka error code to inject`);
    }
    return given;
  }
  const code = (ErrorCode as Record<string, number>)[given];
  if (code === undefined || code === ErrorCode.NONE) throw new Error(`injectErrors: no Kafka error is named ${JSON.stringify(given)}`);
  return code;
}
