import { plainLogFields, stderrLogger } from '@kstream/actor';
import type { Logger } from '@kstream/actor';
import type { LogNotice, NodeChannel } from './messages.js';

/**
 * The broker worker's logger: each entry is told to the node, which writes it
 * with the node's logger (stderr by default, a test's own when it starts the
 * cluster with one), so a broker's lines go where the embedding program sends
 * its logs. Once the channel is closed (the broker shutting down) entries go
 * to stderr. `node` is read on each entry: the channel's own mailbox needs
 * this logger before it exists.
 */
export function nodeLogger(node: () => NodeChannel): Logger {
  const log = (level: LogNotice['level']) => (msg: string, fields?: object) => {
    const channel = node();
    if (channel.closed) {
      stderrLogger[level](msg, fields);
      return;
    }
    channel.tell(fields === undefined ? { type: 'Log', level, msg } : { type: 'Log', level, msg, fields: plainLogFields(fields) });
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}
