import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { BrokerMetricsSnapshot } from '@kstream/broker';
import { MetadataState } from '@kstream/metadata';
import { groupLags, NodeMetrics } from './node-metrics.js';
import type { ScrapedBroker } from './node-metrics.js';

/** A broker's registry as a broker worker builds it: default label broker="<id>". */
async function snapshot(brokerId: number, fill: (registry: Registry) => void): Promise<BrokerMetricsSnapshot> {
  const registry = new Registry();
  registry.setDefaultLabels({ broker: String(brokerId) });
  fill(registry);
  return registry.getMetricsAsJSON();
}

function requests(registry: Registry, api: string, count: number): void {
  new Counter({ name: 'kstream_requests_total', help: 'h', labelNames: ['api'], registers: [registry] }).inc({ api }, count);
}

function highWatermark(registry: Registry, topic: string, partition: number, value: number): void {
  new Gauge({ name: 'kstream_partition_high_watermark', help: 'h', labelNames: ['topic', 'partition'], registers: [registry] }).set({ topic, partition: String(partition) }, value);
}

function committed(registry: Registry, group: string, topic: string, partition: number, value: number): void {
  const name = 'kstream_group_committed_offset';
  const gauge = (registry.getSingleMetric(name) as Gauge<string> | undefined) ?? new Gauge({ name, help: 'h', labelNames: ['group', 'topic', 'partition'], registers: [registry] });
  gauge.set({ group, topic, partition: String(partition) }, value);
}

function broker(brokerId: number, metrics: (timeoutMs: number) => Promise<BrokerMetricsSnapshot>): ScrapedBroker {
  return { brokerId, metrics };
}

describe('NodeMetrics.scrape', () => {
  it("keeps each broker's series of the same metric apart by their broker label, under one HELP and TYPE", async () => {
    const one = await snapshot(1, (r) => requests(r, 'Produce', 3));
    const two = await snapshot(2, (r) => requests(r, 'Produce', 5));
    const text = await new NodeMetrics({ brokers: () => [broker(1, async () => one), broker(2, async () => two)], metadata: new MetadataState() }).scrape();
    expect(text.match(/# TYPE kstream_requests_total counter/g)).toHaveLength(1);
    expect(text).toContain('kstream_requests_total{api="Produce",broker="1"} 3');
    expect(text).toContain('kstream_requests_total{api="Produce",broker="2"} 5');
    expect(text).toContain('kstream_scrape_broker_up{broker="1"} 1');
  });

  it('leaves out a broker that fails or does not answer in time, scraping it as down, and serves the others', async () => {
    const one = await snapshot(1, (r) => requests(r, 'Fetch', 1));
    const silent = broker(2, () => new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 10)));
    const stopped = broker(3, () => Promise.reject(new Error('broker 3 is not running (it is stopped)')));
    const text = await new NodeMetrics({ brokers: () => [broker(1, async () => one), silent, stopped], metadata: new MetadataState() }).scrape();
    expect(text).toContain('kstream_scrape_broker_up{broker="2"} 0');
    expect(text).toContain('kstream_scrape_broker_up{broker="3"} 0');
    expect(text).toContain('kstream_requests_total{api="Fetch",broker="1"} 1');
    expect(text.split('\n').filter((line) => line.includes('broker="2"'))).toEqual(['kstream_scrape_broker_up{broker="2"} 0']);
  });

  it("asks each broker with the scrape's timeout", async () => {
    const asked: number[] = [];
    const metrics = new NodeMetrics({
      brokers: () => [broker(1, async (timeoutMs) => (asked.push(timeoutMs), []))],
      metadata: new MetadataState(),
      brokerTimeoutMs: 123,
    });
    await metrics.scrape();
    expect(asked).toEqual([123]);
  });

  it("a broker's down mark goes once it answers again", async () => {
    let up = false;
    const metrics = new NodeMetrics({ brokers: () => [broker(1, async () => (up ? [] : Promise.reject(new Error('paused'))))], metadata: new MetadataState() });
    expect(await metrics.scrape()).toContain('kstream_scrape_broker_up{broker="1"} 0');
    up = true;
    expect(await metrics.scrape()).toContain('kstream_scrape_broker_up{broker="1"} 1');
  });
});

describe('groupLags', () => {
  it("subtracts the coordinator's committed offset from the partition leader's high watermark, on another broker", async () => {
    const coordinator = await snapshot(1, (r) => committed(r, 'g', 't', 0, 30));
    const leader = await snapshot(2, (r) => highWatermark(r, 't', 0, 51));
    expect(groupLags([coordinator, leader])).toEqual([{ labels: { group: 'g', topic: 't', partition: '0' }, lag: 21 }]);
  });

  it('leaves out a partition whose leader did not answer, and never reports a negative lag', async () => {
    const coordinator = await snapshot(1, (r) => {
      committed(r, 'g', 't', 0, 60);
      committed(r, 'g', 'gone', 0, 5);
      highWatermark(r, 't', 0, 51);
    });
    expect(groupLags([coordinator])).toEqual([{ labels: { group: 'g', topic: 't', partition: '0' }, lag: 0 }]);
  });

  it('takes the higher high watermark while two brokers both claim a leadership', async () => {
    const old = await snapshot(1, (r) => {
      highWatermark(r, 't', 0, 40);
      committed(r, 'g', 't', 0, 10);
    });
    const current = await snapshot(2, (r) => highWatermark(r, 't', 0, 45));
    expect(groupLags([old, current]).map((l) => l.lag)).toEqual([35]);
  });
});
