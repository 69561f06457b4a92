// A worker thread for the package's tests: the echo actor behind parentPort,
// plus two messages that exercise the thread itself. It imports the package by
// name, as the broker workers do, to pin down that a .ts worker resolves
// siblings to their source.

import { parentPort, workerData } from 'node:worker_threads';
import { Mailbox } from '@kstream/actor';
import { echoActor } from './echo-actor.test-support.js';
import type { EchoMessage } from './echo-actor.test-support.js';

export type WorkerMessage =
  | EchoMessage
  /** The worker asks the parent `question` and answers with the parent's reply. */
  | { readonly type: 'AskBack'; readonly question: string }
  | { readonly type: 'WorkerData' }
  | { readonly type: 'Exit'; readonly code: number };

export type ParentMessage = { readonly type: 'Question'; readonly text: string };

export interface WorkerReplies {
  AskBack: string;
  WorkerData: unknown;
  Exit: never;
}

const echo = echoActor();

const parent: Mailbox<WorkerMessage, ParentMessage, { Question: string }> = new Mailbox(parentPort!, {
  name: 'parent',
  handle: (msg) => {
    switch (msg.type) {
      case 'AskBack':
        return parent.ask({ type: 'Question', text: msg.question });
      case 'WorkerData':
        return workerData;
      case 'Exit':
        return process.exit(msg.code);
      default:
        return echo(msg);
    }
  },
});
