import { plainLogFields, stderrLogger } from '@kstream/actor';
import type { Logger } from '@kstream/actor';
import type { LogNotice, NodeChannel } from './messages.js';

/**
 * The broker worker's logger: each entry, with `broker: brokerId` among its
 * fields, is told to the node, which writes it with the node's logger
 * (`kstream start`'s pino sink, a test's own when it starts the cluster with
 * one), so a broker's lines go where the embedding program sends its logs
 * and every one names its broker without each call saying so. Once the
 * channel is closed (the broker shutting down) entries go to stderr. `node`
 * is read on each entry: the channel's own mailbox needs this logger before
 * it exists.
 */
export function nodeLogger(brokerId: number, node: () => NodeChannel): Logger {
  const log = (level: LogNotice['level']) => (msg: string, fields?: object) => {
    const withBroker = fields === undefined ? { broker: brokerId } : { broker: brokerId, ...fields };
    const channel = node();
    if (channel.closed) {
      stderrLogger[level](msg, withBroker);
      return;
    }
    channel.tell({ type: 'Log', level, msg, fields: plainLogFields(withBroker) });
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}
