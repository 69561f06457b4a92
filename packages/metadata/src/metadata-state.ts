import type { ConfigResourceType, MetadataRecord, PartitionRecord, ProducerIdsRecord } from './metadata-records.js';

export interface BrokerRegistration {
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly host: string;
  readonly port: number;
  /** Fenced brokers are dead to the cluster until they register again. */
  readonly fenced: boolean;
}

/** One partition's replicas and leadership, as its latest PartitionRecord set them. */
export interface PartitionState {
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** -1 when the partition has no leader. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  /** Replicas a reassignment is adding (listed in `replicas` too); empty when none is ongoing. */
  readonly addingReplicas: readonly number[];
  /** Replicas a reassignment drops once every adding replica is in the ISR; empty when none is ongoing. */
  readonly removingReplicas: readonly number[];
}

export interface TopicMetadata {
  readonly name: string;
  readonly topicId: string;
  /** Indexed by partition id: partition ids are always 0..n-1. */
  readonly partitions: readonly PartitionState[];
}

/** The reassignment lists of every partition not being reassigned: one frozen empty list, not two arrays a partition. */
const NO_REPLICAS: readonly number[] = Object.freeze([]);

/** The state a PartitionRecord sets: the whole partition, absent or empty reassignment fields as none. */
export function partitionStateOf(record: PartitionRecord): PartitionState {
  const { partition, replicas, isr, leader, leaderEpoch, partitionEpoch } = record;
  return { partition, replicas, isr, leader, leaderEpoch, partitionEpoch, addingReplicas: orNone(record.addingReplicas), removingReplicas: orNone(record.removingReplicas) };
}

function orNone(replicas: readonly number[] | undefined): readonly number[] {
  return replicas === undefined || replicas.length === 0 ? NO_REPLICAS : replicas;
}

interface MutableTopic {
  readonly name: string;
  readonly topicId: string;
  readonly partitions: PartitionState[];
}

const NO_CONFIGS: ReadonlyMap<string, string> = new Map();

/**
 * The cluster metadata that the metadata log describes: the state machine
 * that applies one record at a time. It neither reads nor writes the log and
 * knows nothing of messages; the controller decides which records to write
 * and feeds each one here after it is durable (and again on replay), and
 * every broker keeps a replica fed the same records.
 *
 * Views are live: a TopicMetadata or config map returned earlier reflects
 * later records for the same topic until the topic is removed.
 */
export class MetadataState {
  #clusterId: string | undefined;
  readonly #brokers = new Map<number, BrokerRegistration>();
  readonly #topicsByName = new Map<string, MutableTopic>();
  readonly #topicsById = new Map<string, MutableTopic>();
  readonly #configs: Record<ConfigResourceType, Map<string, Map<string, string>>> = { topic: new Map(), broker: new Map() };
  #producerIds: ProducerIdsRecord | undefined;

  get clusterId(): string | undefined {
    return this.#clusterId;
  }

  get brokers(): ReadonlyMap<number, BrokerRegistration> {
    return this.#brokers;
  }

  broker(brokerId: number): BrokerRegistration | undefined {
    return this.#brokers.get(brokerId);
  }

  /** Ids of the registered, unfenced brokers, ascending: where new replicas may be placed. */
  liveBrokerIds(): number[] {
    return [...this.#brokers.values()]
      .filter((b) => !b.fenced)
      .map((b) => b.brokerId)
      .sort((a, b) => a - b);
  }

  /** Every topic by name. */
  get topics(): ReadonlyMap<string, TopicMetadata> {
    return this.#topicsByName;
  }

  topicByName(name: string): TopicMetadata | undefined {
    return this.#topicsByName.get(name);
  }

  topicById(topicId: string): TopicMetadata | undefined {
    return this.#topicsById.get(topicId);
  }

  partition(topicName: string, partition: number): PartitionState | undefined {
    return this.#topicsByName.get(topicName)?.partitions[partition];
  }

  /** The dynamic configs set on a resource (only the keys set; defaults are the config definitions'). */
  configs(resourceType: ConfigResourceType, resourceName: string): ReadonlyMap<string, string> {
    return this.#configs[resourceType].get(resourceName) ?? NO_CONFIGS;
  }

  /** Every resource of a type that has dynamic configs, by resource name. */
  configResources(resourceType: ConfigResourceType): ReadonlyMap<string, ReadonlyMap<string, string>> {
    return this.#configs[resourceType];
  }

  /** The latest block of producer ids handed out; undefined before the first. */
  get producerIds(): ProducerIdsRecord | undefined {
    return this.#producerIds;
  }

  /** The first producer id of the next block: no id at or above it was handed out. */
  get nextProducerId(): bigint {
    return this.#producerIds?.nextProducerId ?? 0n;
  }

  apply(record: MetadataRecord): void {
    switch (record.type) {
      case 'ClusterId':
        this.#clusterId = record.clusterId;
        return;
      case 'RegisterBroker': {
        const { brokerId, brokerEpoch, host, port } = record;
        this.#brokers.set(brokerId, { brokerId, brokerEpoch, host, port, fenced: false });
        return;
      }
      case 'FenceBroker': {
        const current = this.#brokers.get(record.brokerId);
        // A fence for an older incarnation must not fence the newer one.
        if (current && current.brokerEpoch === record.brokerEpoch) {
          this.#brokers.set(record.brokerId, { ...current, fenced: true });
        }
        return;
      }
      case 'Topic': {
        const { name, topicId } = record;
        if (this.#topicsByName.has(name) || this.#topicsById.has(topicId)) {
          throw new Error(`metadata record Topic ${name} (${topicId}) names a topic that already exists`);
        }
        const topic: MutableTopic = { name, topicId, partitions: [] };
        this.#topicsByName.set(name, topic);
        this.#topicsById.set(topicId, topic);
        return;
      }
      case 'Partition':
        return this.#applyPartition(record);
      case 'Config': {
        const { resourceType, resourceName, name, value } = record;
        const byResource = this.#configs[resourceType];
        let configs = byResource.get(resourceName);
        if (value === null) {
          configs?.delete(name);
          if (configs?.size === 0) byResource.delete(resourceName);
          return;
        }
        if (configs === undefined) byResource.set(resourceName, (configs = new Map()));
        configs.set(name, value);
        return;
      }
      case 'RemoveTopic': {
        const topic = this.#topicsById.get(record.topicId);
        if (topic === undefined) throw new Error(`metadata record RemoveTopic names unknown topic id ${record.topicId}`);
        this.#topicsById.delete(topic.topicId);
        this.#topicsByName.delete(topic.name);
        // A topic created later under the same name starts from the defaults.
        this.#configs.topic.delete(topic.name);
        return;
      }
      case 'ProducerIds':
        // Ids handed out once must never be handed out again.
        if (record.nextProducerId <= this.nextProducerId) {
          throw new Error(`metadata record ProducerIds for broker ${record.brokerId} moves the next producer id back from ${this.nextProducerId} to ${record.nextProducerId}`);
        }
        this.#producerIds = record;
        return;
      default: {
        const unhandled: never = record;
        throw new Error(`unhandled metadata record ${JSON.stringify(unhandled)}`);
      }
    }
  }

  #applyPartition(record: PartitionRecord): void {
    const topic = this.#topicsById.get(record.topicId);
    if (topic === undefined) {
      throw new Error(`metadata record Partition ${record.partition} names unknown topic id ${record.topicId}`);
    }
    if (record.partition > topic.partitions.length || record.partition < 0) {
      throw new Error(`metadata record Partition ${record.partition} of topic ${topic.name} would leave a gap after its ${topic.partitions.length} partitions`);
    }
    topic.partitions[record.partition] = partitionStateOf(record);
  }
}
