// What every Admin call shares: the cluster it talks to, its options, and
// one deadline per call that bounds its retries and its requests' server-side
// timeouts alike.
import type { ClusterClient } from '../cluster/index.js';
import type { BrokerConnection } from '../connection/index.js';
import { withRetry } from '../errors/index.js';
import type { KafkaClientError } from '../errors/index.js';
import { callTimeoutMs } from './admin-options.js';
import type { AdminCallOptions, ResolvedAdminOptions } from './admin-options.js';

export interface AdminContext {
  readonly cluster: ClusterClient;
  readonly options: ResolvedAdminOptions;
  /** A metadata refresh started because the controller moved; the next controller lookup waits for it. */
  controllerRefresh?: Promise<unknown> | undefined;
}

/** The controller as the freshest metadata names it. */
export async function controllerOf(context: AdminContext): Promise<BrokerConnection> {
  const refresh = context.controllerRefresh;
  context.controllerRefresh = undefined;
  await refresh;
  return context.cluster.controller();
}

/** One Admin call in progress. */
export interface AdminCall {
  readonly context: AdminContext;
  /** Kafka's API name, for errors and retry messages. */
  readonly api: string;
  readonly timeoutMs: number;
  /** Date.now() past which no attempt starts. */
  readonly deadline: number;
}

export function startCall(context: AdminContext, api: string, options: AdminCallOptions | undefined): AdminCall {
  const timeoutMs = callTimeoutMs(options, context.options.defaultApiTimeoutMs);
  return { context, api, timeoutMs, deadline: Date.now() + timeoutMs };
}

/**
 * The server-side timeoutMs of a request sent now (CreateTopics, ElectLeaders,
 * ...): what is left of the call, at least 1 ms, so the broker gives up no
 * later than the caller does.
 */
export function remainingMs(call: AdminCall): number {
  return Math.max(1, call.deadline - Date.now());
}

/** The options of a call made as part of this one: whatever time this one has left. */
export function restOf(call: AdminCall): { timeoutMs: number } {
  return { timeoutMs: remainingMs(call) };
}

/**
 * The client-side bound of a request whose broker waits up to `serverTimeoutMs`
 * itself: that wait plus requestTimeoutMs, so a slow answer the broker still
 * sends in time is not cut off by the connection.
 */
export function requestTimeout(call: AdminCall, serverTimeoutMs: number): { timeoutMs: number } {
  return { timeoutMs: serverTimeoutMs + call.context.options.requestTimeoutMs };
}

/** Runs one attempt after another until it resolves, a non-retriable error, or the call's deadline. */
export function retrying<T>(call: AdminCall, operation: (attempt: number) => Promise<T>, onRetry?: (error: KafkaClientError, attempt: number) => void | Promise<void>): Promise<T> {
  const { retries, retryBackoffMs, retryBackoffMaxMs } = call.context.options;
  return withRetry(operation, {
    retries,
    retryBackoffMs,
    retryBackoffMaxMs,
    deadline: call.deadline,
    description: call.api,
    ...(onRetry === undefined ? {} : { onRetry }),
  });
}
