import type { MetadataRecord } from './metadata-records.js';

export interface BrokerRegistration {
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly host: string;
  readonly port: number;
  /** Fenced brokers are dead to the cluster until they register again. */
  readonly fenced: boolean;
}

/**
 * The cluster metadata that the metadata log describes: the state machine
 * that applies one record at a time. It neither reads nor writes the log and
 * knows nothing of messages; the controller decides which records to write
 * and feeds each one here after it is durable (and again on replay).
 */
export class MetadataState {
  #clusterId: string | undefined;
  readonly #brokers = new Map<number, BrokerRegistration>();

  get clusterId(): string | undefined {
    return this.#clusterId;
  }

  get brokers(): ReadonlyMap<number, BrokerRegistration> {
    return this.#brokers;
  }

  broker(brokerId: number): BrokerRegistration | undefined {
    return this.#brokers.get(brokerId);
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
      default: {
        const unhandled: never = record;
        throw new Error(`unhandled metadata record ${JSON.stringify(unhandled)}`);
      }
    }
  }
}
