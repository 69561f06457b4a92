import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { countErrorCodes, RequestMetrics } from './request-metrics.js';

describe('countErrorCodes', () => {
  it('finds top-level and per-resource error codes, skipping NONE and record buffers', () => {
    const found: number[] = [];
    const response = {
      errorCode: 0,
      topics: [
        { name: 't', partitions: [{ errorCode: 6, records: Buffer.from([1, 2, 3]) }, { errorCode: 0 }] },
        { name: 'u', errorCode: 3, partitions: [] },
      ],
    };
    countErrorCodes(response, (code) => found.push(code));
    expect(found).toEqual([6, 3]);
  });

  it('finds nothing in an acks=0 produce (no response)', () => {
    const found: number[] = [];
    countErrorCodes(undefined, (code) => found.push(code));
    expect(found).toEqual([]);
  });
});

describe('RequestMetrics', () => {
  it('counts requests, their latency and their errors by API and Kafka error name; a failed handler counts as UNKNOWN_SERVER_ERROR', async () => {
    const registry = new Registry();
    const metrics = new RequestMetrics(registry);
    metrics.answered('Produce', 0.002, { responses: [{ partitionResponses: [{ errorCode: 6 }] }] });
    metrics.answered('Produce', 0.004, { responses: [{ partitionResponses: [{ errorCode: 0 }] }] });
    metrics.failed('Fetch', 0.5);
    const text = await registry.metrics();
    expect(text).toContain('kstream_requests_total{api="Produce"} 2');
    expect(text).toContain('kstream_requests_total{api="Fetch"} 1');
    expect(text).toContain('kstream_request_errors_total{api="Produce",error="NOT_LEADER_OR_FOLLOWER"} 1');
    expect(text).toContain('kstream_request_errors_total{api="Fetch",error="UNKNOWN_SERVER_ERROR"} 1');
    expect(text).toContain('kstream_request_duration_seconds_bucket{le="0.0025",api="Produce"} 1');
    expect(text).toContain('kstream_request_duration_seconds_sum{api="Produce"} 0.006');
  });
});
