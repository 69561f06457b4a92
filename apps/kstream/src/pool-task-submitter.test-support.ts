// A worker entry standing in for a broker: when the test asks it to, it
// submits a pool task over its channel to the main thread, the way a broker
// does, and answers with the task's output.
import { parentPort } from 'node:worker_threads';
import { Mailbox } from '@kstream/actor';
import { submitPoolTask } from '@kstream/broker';
import type { BrokerRequest, NodeChannel, NodeReplies, NodeRequest } from '@kstream/broker';

export interface SubmitGunzip {
  readonly type: 'SubmitGunzip';
  readonly gzipped: Uint8Array;
}

const node: NodeChannel = new Mailbox<BrokerRequest, NodeRequest, NodeReplies>(parentPort!, {
  name: 'node',
  // A failed task fails the test's ask with its message, which the test asserts; no line of its own.
  logger: { info: () => {}, warn: () => {}, error: () => {} },
  handle: async (msg: BrokerRequest | SubmitGunzip) => {
    if (msg.type !== 'SubmitGunzip') throw new Error(`unexpected ${msg.type}`);
    const output = await submitPoolTask(node, 'gunzip', msg.gzipped);
    return { output, isUint8Array: output instanceof Uint8Array };
  },
});
