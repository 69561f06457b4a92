import { RequestFaults } from './request-faults.js';

/**
 * The faults of each broker running on this thread, by broker id: a broker
 * worker runs one broker, whose worker entry sets them (SetRequestFaults)
 * and whose request dispatch reads them. Thread-local, like the worker's loop.
 */
const byBroker = new Map<number, RequestFaults>();

export function faultsOf(brokerId: number): RequestFaults {
  let faults = byBroker.get(brokerId);
  if (faults === undefined) byBroker.set(brokerId, (faults = new RequestFaults(brokerId)));
  return faults;
}
