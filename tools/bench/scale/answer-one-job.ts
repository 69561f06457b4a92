// The end of every child of the scale benchmark: one job from the parent over
// IPC, one ChildReply back (the result, or the error's stack), then exit.
import type { ChildReply } from '../client/child.js';

export function answerOneJob<J, R>(run: (job: J) => Promise<R>): void {
  process.once('message', (job: J) => {
    run(job)
      .then(
        (value): ChildReply<R> => ({ ok: true, value, node: process.version }),
        (error: unknown): ChildReply<R> => ({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error), node: process.version }),
      )
      .then((reply) => process.send!(reply, () => process.exit(0)));
  });
}
