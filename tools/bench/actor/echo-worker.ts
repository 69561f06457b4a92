// The far side of the actor benchmark: the same echo behind a Mailbox and
// behind a bare MessagePort, so both paths cross the same thread boundary.

import { workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { Mailbox, replyWithTransfer, unknownMessage } from '@kstream/actor';
import type { BenchMessage } from './messages.js';

const { mailboxPort, rawPort } = workerData as { mailboxPort: MessagePort; rawPort: MessagePort };

new Mailbox<BenchMessage>(mailboxPort, {
  name: 'bench',
  handle: (msg) => {
    switch (msg.type) {
      case 'Fetch':
        return msg.offset;
      case 'Records':
        return replyWithTransfer(msg.records, [msg.records.buffer as ArrayBuffer]);
      default:
        return unknownMessage(msg);
    }
  },
});

rawPort.on('message', (msg: BenchMessage) => {
  if (msg.type === 'Records') rawPort.postMessage(msg.records);
  else rawPort.postMessage(msg.offset);
});
