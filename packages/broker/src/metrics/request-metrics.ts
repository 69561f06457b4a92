import { Counter, Histogram } from './prom-client.js';
import type { CounterChild, HistogramChild } from './prom-client.js';
import type { Registry } from './prom-client.js';
import { errorInfo } from '@kstream/protocol';

/** Request latency buckets, in seconds: sub-millisecond answers up to long-polled fetches (fetch.max.wait.ms) and acks=all waits. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The error name a request counts under when its handler failed and the connection closes. */
const HANDLER_FAILED = 'UNKNOWN_SERVER_ERROR';

/**
 * Per-API request counters, latency histogram and error codes, counted once
 * per request where every request passes (request-dispatch.ts). Each API's
 * label children are kept, so a request costs map lookups and no label hashing.
 */
export class RequestMetrics {
  readonly #requests: Counter<'api'>;
  readonly #duration: Histogram<'api'>;
  readonly #errors: Counter<'api' | 'error'>;
  readonly #byApi = new Map<string, { requests: CounterChild; duration: HistogramChild<'api'> }>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.#requests = new Counter({ name: 'kstream_requests_total', help: 'Requests answered (or failed), by API', labelNames: ['api'], registers });
    this.#duration = new Histogram({
      name: 'kstream_request_duration_seconds',
      help: 'Time from a decoded request to its encoded response, by API',
      labelNames: ['api'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#errors = new Counter({
      name: 'kstream_request_errors_total',
      help: 'Error codes in responses (every non-zero errorCode field, top level and per resource), by API and Kafka error name',
      labelNames: ['api', 'error'],
      registers,
    });
  }

  /** One request of `api` answered with `response` (NO_RESPONSE and encoded responses alike) after `seconds`. */
  answered(api: string, seconds: number, response: unknown): void {
    this.#count(api, seconds);
    countErrorCodes(response, (code) => this.#errors.inc({ api, error: errorInfo(code).name }));
  }

  /** One request of `api` whose handler threw or whose response did not encode: its connection closes. */
  failed(api: string, seconds: number): void {
    this.#count(api, seconds);
    this.#errors.inc({ api, error: HANDLER_FAILED });
  }

  #count(api: string, seconds: number): void {
    let children = this.#byApi.get(api);
    if (children === undefined) {
      children = { requests: this.#requests.labels({ api }), duration: this.#duration.labels({ api }) };
      this.#byApi.set(api, children);
    }
    children.requests.inc();
    children.duration.observe(seconds);
  }
}

/** Calls `found` with every non-zero `errorCode` in a response body; record buffers are not entered. */
export function countErrorCodes(value: unknown, found: (code: number) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) countErrorCodes(item, found);
    return;
  }
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return;
  for (const [key, field] of Object.entries(value)) {
    if (key === 'errorCode') {
      if (typeof field === 'number' && field !== 0) found(field);
    } else if (typeof field === 'object' && field !== null) {
      countErrorCodes(field, found);
    }
  }
}
