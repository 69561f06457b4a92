import { intOption, resolveClientOptions } from '../options/index.js';
import type { ClientOptions, ResolvedClientOptions } from '../options/index.js';

export interface AdminOptions extends ClientOptions {
  /**
   * How long one Admin call may take, retries included, unless the call
   * names its own `timeoutMs` (Kafka's default.api.timeout.ms). Each request
   * is still bounded by requestTimeoutMs.
   */
  defaultApiTimeoutMs?: number; // 60_000
}

export type ResolvedAdminOptions = ResolvedClientOptions & { defaultApiTimeoutMs: number };

/** Every call's own options. */
export interface AdminCallOptions {
  /** This call's bound, retries included; defaultApiTimeoutMs when absent. */
  timeoutMs?: number;
}

const INT32_MAX = 2_147_483_647;

/** Validates the options once, at construction; a bad one throws KafkaConfigError naming it. */
export function resolveAdminOptions(options: AdminOptions): ResolvedAdminOptions {
  return {
    ...resolveClientOptions(options),
    defaultApiTimeoutMs: intOption(options, 'defaultApiTimeoutMs', 60_000, 1, INT32_MAX),
  };
}

/** A call's timeoutMs, checked as the constructor's options are. */
export function callTimeoutMs(options: AdminCallOptions | undefined, fallback: number): number {
  return intOption(options ?? {}, 'timeoutMs', fallback, 1, INT32_MAX);
}
