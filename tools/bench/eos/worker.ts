// A transactions child of the exactly-once benchmark: takes one TxnJob from
// the parent over IPC, runs it with one client, answers with the result (or
// the error) and exits; one client per process, as the client benchmark's.
import type { ChildReply } from '../client/child.js';
import type { TxnClient, TxnJob, TxnResult } from './messages.js';
import type { TxnDriver } from './txn-driver.js';
import { runTransactions } from './txn-run.js';

async function loadDriver(client: TxnClient): Promise<TxnDriver> {
  switch (client) {
    case 'kstream':
      return (await import('./kstream-txn-driver.js')).kstreamTxnDriver();
    case 'kafkajs':
      return (await import('./kafkajs-txn-driver.js')).kafkajsTxnDriver();
    default: {
      const unknown: never = client;
      throw new Error(`unknown client ${String(unknown)}`);
    }
  }
}

process.once('message', (job: TxnJob) => {
  loadDriver(job.client)
    .then((driver) => runTransactions(driver, job))
    .then(
      (value): ChildReply<TxnResult> => ({ ok: true, value, node: process.version }),
      (error: unknown): ChildReply<TxnResult> => ({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error), node: process.version }),
    )
    .then((reply) => process.send!(reply, () => process.exit(0)));
});
