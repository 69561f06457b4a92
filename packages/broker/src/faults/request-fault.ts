// A fault the node injects into a broker's request path (the test harness's
// faults on demand): which requests it matches and what happens to them.
// The fault's remaining count is an Int32 slot of the node's fault counters,
// a SharedArrayBuffer every broker worker gets in its workerData (messages
// between threads copy; workerData shares), so "the next N requests" counts
// across the brokers and the node reads what is left without asking them.

/** Answer Kafka error code `errorCode`; delay the answer `ms`; or close the connection without answering. */
export type RequestFaultAction = { readonly kind: 'error'; readonly errorCode: number } | { readonly kind: 'delay'; readonly ms: number } | { readonly kind: 'drop' };

/** A remaining count that never runs out (a delay with no count). */
export const UNLIMITED = -1;

export interface RequestFault {
  /** The node's id for it, unique for the node's run. */
  readonly id: number;
  readonly action: RequestFaultAction;
  /** Kafka's API name ("Produce"); absent: every API. */
  readonly api?: string;
  readonly clientId?: string;
  /** Only requests naming this topic (per-partition APIs: Produce, Fetch, ListOffsets, OffsetCommit). */
  readonly topic?: string;
  /** With `topic`: only that partition. */
  readonly partition?: number;
  /** Only on this broker; absent: any broker. */
  readonly broker?: number;
  /** Its Int32 in the fault counters: the requests it still applies to, or UNLIMITED. */
  readonly slot: number;
}

/** What a request shows a fault's filters. `partitions` lists the topic-partitions a per-partition API's request names. */
export interface FaultedRequest {
  readonly api: string;
  readonly clientId: string | null;
  readonly brokerId: number;
  readonly partitions?: readonly { readonly topic: string; readonly partition: number }[];
}

/** Whether the fault's filters admit the request (its count aside). */
export function faultMatches(fault: RequestFault, request: FaultedRequest): boolean {
  if (fault.api !== undefined && fault.api !== request.api) return false;
  if (fault.clientId !== undefined && fault.clientId !== request.clientId) return false;
  if (fault.broker !== undefined && fault.broker !== request.brokerId) return false;
  if (fault.topic === undefined) return true;
  return (request.partitions ?? []).some((p) => partitionMatches(fault, p));
}

/** Whether topic-partition `p` is one the fault names (every partition of its topic without `partition`). */
export function partitionMatches(fault: RequestFault, p: { readonly topic: string; readonly partition: number }): boolean {
  if (fault.topic === undefined) return true;
  return p.topic === fault.topic && (fault.partition === undefined || fault.partition === p.partition);
}

/** How many faults the counters hold at once (between two clears). */
export const FAULT_SLOTS = 1024;

/** The node's fault counters, shared with every broker worker. */
export function faultCounters(): SharedArrayBuffer {
  return new SharedArrayBuffer(FAULT_SLOTS * Int32Array.BYTES_PER_ELEMENT);
}

/** Takes one use of the fault, atomically across the brokers; false when it is used up. */
export function claimFault(counters: Int32Array<SharedArrayBuffer>, fault: RequestFault): boolean {
  for (;;) {
    const left = Atomics.load(counters, fault.slot);
    if (left === UNLIMITED) return true;
    if (left <= 0) return false;
    if (Atomics.compareExchange(counters, fault.slot, left, left - 1) === left) return true;
  }
}

/** The uses left: a count, or UNLIMITED. */
export function faultRemaining(counters: Int32Array<SharedArrayBuffer>, fault: RequestFault): number {
  return Atomics.load(counters, fault.slot);
}
