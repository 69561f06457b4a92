import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

// The parts of prom-client kstream uses, each from its own module. The
// package's index also loads its Pushgateway (node:http, node:https, node:tls)
// and its default process metrics (with @opentelemetry/api), which kstream
// does not use: about 40 ms more for every thread that starts.
const require = createRequire(import.meta.url);

export const Registry: typeof PromClient.Registry = require('prom-client/lib/registry');
export const Counter: typeof PromClient.Counter = require('prom-client/lib/counter');
export const Gauge: typeof PromClient.Gauge = require('prom-client/lib/gauge');
export const Histogram: typeof PromClient.Histogram = require('prom-client/lib/histogram');
/** Merges the brokers' metrics for the node's scrape. */
export const AggregatorRegistry: typeof PromClient.AggregatorRegistry = require('prom-client/lib/cluster');
export type Registry = PromClient.Registry;
export type Counter<T extends string = string> = PromClient.Counter<T>;
export type Gauge<T extends string = string> = PromClient.Gauge<T>;
export type Histogram<T extends string = string> = PromClient.Histogram<T>;
/** A counter's child for one set of label values (`counter.labels(...)`). */
export type CounterChild = PromClient.Counter.Internal;
/** A histogram's child for one set of label values (`histogram.labels(...)`). */
export type HistogramChild<T extends string = string> = PromClient.Histogram.Internal<T>;
