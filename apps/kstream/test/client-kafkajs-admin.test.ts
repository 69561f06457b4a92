// @kstream/client/kafkajs's admin beside kafkajs 2.2.4's on one node: group
// offsets (fetchOffsets with and without topics, setOffsets, resolveOffsets),
// offsets by timestamp, configs (describe, and alter's whole-resource
// meaning), groups (list, describe, delete and its error), records deleted
// below an offset, metadata of every topic — the same answers from both.
import * as ours from '@kstream/client/kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compatKafka, LIBS, type Lib } from './client-kafkajs.test-support.js';
import { CompatCluster, topicName } from './compat-cluster.test-support.js';
import { GROUP_CONFIGS, servingCoordinator } from './groups.test-support.js';

describe('@kstream/client/kafkajs admin beside kafkajs', () => {
  let node: CompatCluster;
  const clients: Array<{ disconnect(): Promise<void> }> = [];
  const topics = new Map<string, string>();
  const T0 = 1_700_000_000_000;

  function kafka(lib: Lib): ours.Kafka {
    return compatKafka(lib, node.bootstrap);
  }

  async function admin(lib: Lib): Promise<ours.Admin> {
    const a = kafka(lib).admin();
    clients.push(a);
    await a.connect();
    return a;
  }

  beforeAll(async () => {
    node = await CompatCluster.start('client-kafkajs-admin', GROUP_CONFIGS);
    for (const lib of LIBS) {
      const topic = topicName(`admin-${lib.name}`);
      topics.set(lib.name, topic);
      await (await admin(lib)).createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '86400000' }] }] });
      const producer = kafka(lib).producer();
      clients.push(producer);
      await producer.connect();
      // Three messages per partition, 10 ms apart in time: offsets 0..2 each.
      await producer.send({ topic, messages: Array.from({ length: 9 }, (_, i) => ({ partition: i % 3, value: `v${i}`, timestamp: String(T0 + i * 10) })) });
    }
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.disconnect()));
    await node?.stop();
  });

  async function both<T>(scenario: (lib: Lib, a: ours.Admin, topic: string) => Promise<T>): Promise<[T, T]> {
    const results = [];
    for (const lib of LIBS) results.push(await scenario(lib, await admin(lib), topics.get(lib.name)!));
    return results as [T, T];
  }

  const sortByPartition = <P extends { partition: number }>(list: P[]) => [...list].sort((a, b) => a.partition - b.partition);

  it('groupOffsets: fetchOffsets before and after setOffsets, resolveOffsets, and of every topic', async () => {
    const [theirs, mine] = await both(async (lib, a, topic) => {
      const groupId = topicName(`offsets-${lib.name}`);
      // kafkajs's fetchOffsets sends OffsetFetch once, without retrying NOT_COORDINATOR, to the broker FindCoordinator
      // named; just after __consumer_offsets is created that broker may not have taken up its partition yet (as on Kafka).
      await servingCoordinator(node, groupId);
      const before = await a.fetchOffsets({ groupId, topics: [topic] });
      await a.setOffsets({
        groupId,
        topic,
        partitions: [
          { partition: 0, offset: '1' },
          { partition: 2, offset: '3' },
        ],
      });
      const after = await a.fetchOffsets({ groupId, topics: [topic] });
      const everyTopic = await a.fetchOffsets({ groupId });
      const resolved = await a.fetchOffsets({ groupId, topics: [topic], resolveOffsets: true });
      const shape = (list: { topic: string; partitions: ours.FetchOffsetsPartition[] }[]) =>
        list.map(({ topic: t, partitions }) => ({ topic: t === topic, partitions: sortByPartition(partitions) }));
      return { before: shape(before), after: shape(after), everyTopic: shape(everyTopic), resolved: shape(resolved) };
    });
    expect(theirs.after[0]!.partitions).toEqual([
      { partition: 0, offset: '1', metadata: null },
      { partition: 1, offset: '-1', metadata: null },
      { partition: 2, offset: '3', metadata: null },
    ]);
    expect(mine).toEqual(theirs);
  }, 60_000);

  it('offsetsByTimestamp: the first offset at or after it, the high watermark past the last', async () => {
    const [theirs, mine] = await both(async (_lib, a, topic) => ({
      start: sortByPartition(await a.fetchTopicOffsetsByTimestamp(topic, T0)),
      middle: sortByPartition(await a.fetchTopicOffsetsByTimestamp(topic, T0 + 35)),
      future: sortByPartition(await a.fetchTopicOffsetsByTimestamp(topic, T0 + 1_000_000)),
    }));
    expect(theirs.middle).toEqual([
      { partition: 0, offset: '2' },
      { partition: 1, offset: '1' },
      { partition: 2, offset: '1' },
    ]);
    expect(mine).toEqual(theirs);
  }, 30_000);

  it('configs: describeConfigs shape and alterConfigs replacing what was set on the topic', async () => {
    const [theirs, mine] = await both(async (_lib, a, topic) => {
      const describe = async () => {
        const { resources } = await a.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: ours.ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms', 'cleanup.policy', 'segment.ms'] }],
        });
        return resources.map((r) => ({
          ...r,
          resourceName: r.resourceName === topic,
          configEntries: r.configEntries
            .map(({ configName, configValue, isDefault, configSource, readOnly, isSensitive }) => ({ configName, configValue, isDefault, configSource, readOnly, isSensitive }))
            .sort((x, y) => x.configName.localeCompare(y.configName)),
        }));
      };
      const before = await describe();
      const altered = await a.alterConfigs({
        validateOnly: false,
        resources: [{ type: ours.ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'segment.ms', value: '3600000' }] }],
      });
      return { before, altered: altered.resources.map((r: { errorCode: number }) => r.errorCode), after: await describe() };
    });
    expect(theirs.before[0]!.configEntries.find((e) => e.configName === 'retention.ms')).toMatchObject({ configValue: '86400000', configSource: ours.ConfigSource.TOPIC_CONFIG });
    expect(theirs.after[0]!.configEntries.find((e) => e.configName === 'retention.ms')).toMatchObject({ isDefault: true });
    expect(mine).toEqual(theirs);
  }, 30_000);

  it('groups: list, describe and delete an empty group; deleting an unknown one rejects with KafkaJSDeleteGroupsError', async () => {
    const [theirs, mine] = await both(async (lib, a, topic) => {
      const groupId = topicName(`groups-${lib.name}`);
      await servingCoordinator(node, groupId);
      await a.setOffsets({ groupId, topic, partitions: [{ partition: 1, offset: '2' }] });
      // kafkajs's setOffsets joins the group with a consumer for a moment, so its group has protocol type 'consumer';
      // ours commits as the admin, as Kafka's tools do, and the group has none. The rest is the same.
      const listed = (await a.listGroups()).groups.filter((g) => g.groupId === groupId).map(() => ({ groupId: true }));
      const described = (await a.describeGroups([groupId])).groups.map(({ protocolType, ...g }) => ({ ...g, groupId: g.groupId === groupId }));
      const deleted = await a.deleteGroups([groupId]);
      const unknown = await a.deleteGroups([topicName('never')]).catch((e: unknown) => e as ours.KafkaJSDeleteGroupsError);
      return {
        listed,
        described,
        deleted: deleted.map((d) => ({ ...d, groupId: d.groupId === groupId })),
        unknown: {
          name: unknown instanceof Error ? unknown.name : 'resolved',
          groups: unknown instanceof Error ? unknown.groups.map((g) => [g.errorCode, g.error.name, (g.error as ours.KafkaJSProtocolError).type]) : [],
        },
      };
    });
    expect(theirs.unknown.name).toBe('KafkaJSDeleteGroupsError');
    expect(mine).toEqual(theirs);
  }, 30_000);

  it('deleteTopicRecordsMovesTheLowWatermark, and fetchTopicMetadata of every topic includes ours', async () => {
    const [theirs, mine] = await both(async (_lib, a, topic) => {
      // kafkajs's deleteTopicRecords needs the topic's metadata loaded first (fetchTopicOffsets does that).
      await a.fetchTopicOffsets(topic);
      await a.deleteTopicRecords({
        topic,
        partitions: [
          { partition: 0, offset: '2' },
          { partition: 1, offset: '-1' },
        ],
      });
      const offsets = sortByPartition(await a.fetchTopicOffsets(topic));
      const { topics: all } = await a.fetchTopicMetadata();
      const mineListed = all.find((t) => t.name === topic);
      return { offsets, listed: mineListed?.partitions.length, reassigning: (await a.listPartitionReassignments({})).topics };
    });
    expect(theirs.offsets).toEqual([
      { partition: 0, offset: '3', high: '3', low: '2' },
      { partition: 1, offset: '3', high: '3', low: '3' },
      { partition: 2, offset: '3', high: '3', low: '0' },
    ]);
    expect(mine).toEqual(theirs);
  }, 30_000);
});
