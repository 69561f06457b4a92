// The records of the metadata log. Each is one change to cluster metadata;
// replaying them in order rebuilds the controller's state. Topic, partition
// and config records carry KRaft's names and fields.

/** The cluster's identity, written once as the first record of a new log. */
export interface ClusterIdRecord {
  readonly type: 'ClusterId';
  readonly clusterId: string;
}

/**
 * A broker registered (or re-registered after a restart). As in KRaft, its
 * broker epoch is the offset of this record, so every registration has a
 * new, larger epoch and a stale incarnation is recognisable.
 */
export interface RegisterBrokerRecord {
  readonly type: 'RegisterBroker';
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly host: string;
  readonly port: number;
}

/** A broker is no longer alive: its heartbeats stopped or its worker exited. */
export interface FenceBrokerRecord {
  readonly type: 'FenceBroker';
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly reason: string;
}

/** A topic was created. Its partitions follow as PartitionRecords, its configs as ConfigRecords. */
export interface TopicRecord {
  readonly type: 'Topic';
  readonly name: string;
  /** A random UUID in its 8-4-4-4-12 hex form, as the protocol's uuid fields carry it. */
  readonly topicId: string;
}

/**
 * A partition's replicas and leadership: written when the partition is
 * created and again, whole, whenever any of it changes (KRaft's
 * PartitionRecord; a later record for the same partition replaces it).
 */
export interface PartitionRecord {
  readonly type: 'Partition';
  readonly topicId: string;
  readonly partition: number;
  /** Broker ids in preference order; the first is the preferred leader. */
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** The leading broker's id, or -1 when the partition has no leader. */
  readonly leader: number;
  /** Grows by one with every leader change; fetches and produces are fenced by it. */
  readonly leaderEpoch: number;
  /** Grows by one with every change to the partition. */
  readonly partitionEpoch: number;
  /**
   * A reassignment in progress (KIP-455): replicas being added, which
   * `replicas` lists already, and replicas to drop once they have caught up.
   * Absent (records written before reassignments existed, or none ongoing):
   * empty.
   */
  readonly addingReplicas?: readonly number[];
  readonly removingReplicas?: readonly number[];
}

/**
 * A PartitionRecord's reassignment fields: none when no reassignment is
 * ongoing, so that the records of the many partitions without one stay as
 * small as before reassignments existed.
 */
export function reassignmentFields(addingReplicas: readonly number[], removingReplicas: readonly number[]): Pick<PartitionRecord, 'addingReplicas' | 'removingReplicas'> {
  return addingReplicas.length === 0 && removingReplicas.length === 0 ? {} : { addingReplicas, removingReplicas };
}

/** Kafka's ConfigResource types that the controller stores configs for. */
export type ConfigResourceType = 'topic' | 'broker';

/**
 * One config key of one resource was set, or deleted (back to its default)
 * when `value` is null. A topic's resourceName is the topic name; a broker's
 * is its id in decimal, or '' for the cluster-wide default of every broker.
 */
export interface ConfigRecord {
  readonly type: 'Config';
  readonly resourceType: ConfigResourceType;
  readonly resourceName: string;
  readonly name: string;
  readonly value: string | null;
}

/** A topic was deleted, with its partitions and configs. */
export interface RemoveTopicRecord {
  readonly type: 'RemoveTopic';
  readonly topicId: string;
}

/**
 * A block of producer ids went to a broker (KIP-730's ProducerIdsRecord):
 * every id below `nextProducerId` is handed out, and the next block starts
 * there. Appended before the broker hears of its block, so no id is given
 * twice, across controller restarts too. Ids are int64, as on the wire.
 */
export interface ProducerIdsRecord {
  readonly type: 'ProducerIds';
  /** The broker the block went to, and its registration epoch then. */
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly nextProducerId: bigint;
}

export type MetadataRecord = ClusterIdRecord | RegisterBrokerRecord | FenceBrokerRecord | TopicRecord | PartitionRecord | ConfigRecord | RemoveTopicRecord | ProducerIdsRecord;

const INT64_MAX = 2n ** 63n - 1n;

/** The fields of one decoded metadata record, each checked as it is read; a wrong one fails naming where the record was read. */
class RecordFields {
  readonly type: unknown;

  constructor(
    readonly record: Partial<Record<string, unknown>>,
    private readonly path: string,
    private readonly offset: number,
  ) {
    this.type = record['type'];
  }

  fail(why: string): never {
    throw new Error(`${this.path}: record at offset ${this.offset} is not a metadata record: ${why}`);
  }

  int(field: string): number {
    const value = this.record[field];
    return Number.isSafeInteger(value) ? (value as number) : this.fail(`${String(this.type)}.${field} is not an integer`);
  }

  str(field: string): string {
    const value = this.record[field];
    return typeof value === 'string' ? value : this.fail(`${String(this.type)}.${field} is not a string`);
  }

  ints(field: string): number[] {
    const list = this.record[field];
    return Array.isArray(list) && list.every((n) => Number.isSafeInteger(n)) ? (list as number[]) : this.fail(`${String(this.type)}.${field} is not a list of integers`);
  }

  optionalInts(field: string): number[] {
    return this.record[field] === undefined ? [] : this.ints(field);
  }

  int64(field: string): bigint {
    const value = this.record[field];
    return typeof value === 'bigint' && value >= 0n && value <= INT64_MAX ? value : this.fail(`${String(this.type)}.${field} is not a non-negative int64`);
  }
}

/**
 * Checks the shape of a record decoded from disk. A record that passed its
 * CRC but does not parse was written by a different version of kstream, not
 * torn by a crash, so it is an error rather than a tail to truncate.
 */
export function parseMetadataRecord(value: unknown, path: string, offset: number): MetadataRecord {
  if (typeof value !== 'object' || value === null) return new RecordFields({}, path, offset).fail('not a map');
  const f = new RecordFields(value as Partial<Record<string, unknown>>, path, offset);
  const { record, type } = f;
  switch (type) {
    case 'ClusterId':
      return { type, clusterId: f.str('clusterId') };
    case 'RegisterBroker':
      return { type, brokerId: f.int('brokerId'), brokerEpoch: f.int('brokerEpoch'), host: f.str('host'), port: f.int('port') };
    case 'FenceBroker':
      return { type, brokerId: f.int('brokerId'), brokerEpoch: f.int('brokerEpoch'), reason: f.str('reason') };
    case 'Topic':
      return { type, name: f.str('name'), topicId: f.str('topicId') };
    case 'Partition':
      return {
        type,
        topicId: f.str('topicId'),
        partition: f.int('partition'),
        replicas: f.ints('replicas'),
        isr: f.ints('isr'),
        leader: f.int('leader'),
        leaderEpoch: f.int('leaderEpoch'),
        partitionEpoch: f.int('partitionEpoch'),
        // As written: absent (none ongoing, or written before reassignments existed) stays absent, which means none.
        ...reassignmentFields(f.optionalInts('addingReplicas'), f.optionalInts('removingReplicas')),
      };
    case 'Config': {
      const resourceType = record['resourceType'];
      if (resourceType !== 'topic' && resourceType !== 'broker') {
        return f.fail(`Config.resourceType ${JSON.stringify(resourceType)} is neither "topic" nor "broker"`);
      }
      const value = record['value'];
      if (value !== null && typeof value !== 'string') return f.fail('Config.value is neither a string nor null');
      return { type, resourceType, resourceName: f.str('resourceName'), name: f.str('name'), value };
    }
    case 'RemoveTopic':
      return { type, topicId: f.str('topicId') };
    case 'ProducerIds':
      return { type, brokerId: f.int('brokerId'), brokerEpoch: f.int('brokerEpoch'), nextProducerId: f.int64('nextProducerId') };
    default:
      return f.fail(`unknown type ${JSON.stringify(type)}`);
  }
}
