import { Gauge } from './prom-client.js';
import type { Registry } from './prom-client.js';
import type { GroupCoordinator } from '@kstream/group-coordinator';

/** What a scrape asks of the groups: a ListGroups with no filters. */
const ALL_GROUPS = { statesFilter: [], typesFilter: [] };
const SCRAPE_CONTEXT = { apiVersion: 5, clientId: 'kstream-metrics', clientHost: '127.0.0.1' };

/**
 * The committed offset of each partition of each consumer group this
 * broker coordinates, read at each scrape. The node subtracts them from the
 * leaders' high watermarks (kstream_partition_high_watermark) for
 * kstream_consumer_group_lag: a group's partitions are mostly led elsewhere.
 */
export function registerGroupOffsetGauges(registry: Registry, groups: () => GroupCoordinator | undefined): void {
  new Gauge({
    name: 'kstream_group_committed_offset',
    help: 'The offset a consumer group committed for a partition, on the broker coordinating the group',
    labelNames: ['group', 'topic', 'partition'],
    registers: [registry],
    async collect() {
      this.reset();
      const coordinator = groups();
      if (coordinator === undefined) return;
      const listed = await coordinator.listGroups(ALL_GROUPS, SCRAPE_CONTEXT);
      for (const { groupId } of listed.groups) {
        for (const p of coordinator.groupLag(groupId, () => undefined)?.partitions ?? []) {
          this.set({ group: groupId, topic: p.topic, partition: String(p.partition) }, Number(p.committedOffset));
        }
      }
    },
  });
}
