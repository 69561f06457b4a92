// The records of the metadata log. Each is one change to cluster metadata;
// replaying them in order rebuilds the controller's state. Later issues add
// topic and partition records to this union.

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

export type MetadataRecord = ClusterIdRecord | RegisterBrokerRecord | FenceBrokerRecord;

/**
 * Checks the shape of a record decoded from disk. A record that passed its
 * CRC but does not parse was written by a different version of kstream, not
 * torn by a crash, so it is an error rather than a tail to truncate.
 */
export function parseMetadataRecord(value: unknown, path: string, offset: number): MetadataRecord {
  const record = value as Partial<Record<string, unknown>> | null;
  const fail = (why: string): never => {
    throw new Error(`${path}: record at offset ${offset} is not a metadata record: ${why}`);
  };
  if (typeof record !== 'object' || record === null) return fail('not a map');
  const type = record['type'];
  const int = (field: string) =>
    Number.isSafeInteger(record[field]) ? (record[field] as number) : fail(`${String(type)}.${field} is not an integer`);
  const str = (field: string) =>
    typeof record[field] === 'string' ? (record[field] as string) : fail(`${String(type)}.${field} is not a string`);
  switch (type) {
    case 'ClusterId':
      return { type, clusterId: str('clusterId') };
    case 'RegisterBroker':
      return { type, brokerId: int('brokerId'), brokerEpoch: int('brokerEpoch'), host: str('host'), port: int('port') };
    case 'FenceBroker':
      return { type, brokerId: int('brokerId'), brokerEpoch: int('brokerEpoch'), reason: str('reason') };
    default:
      return fail(`unknown type ${JSON.stringify(type)}`);
  }
}
