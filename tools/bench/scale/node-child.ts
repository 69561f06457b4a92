// A child of the scale benchmark that holds a node: one job (create, or
// restart), run in this fresh process so that its RSS, descriptors and I/O
// counters are the node's.
import { createRound } from './create-round.js';
import { answerOneJob } from './answer-one-job.js';
import type { CreateJob, CreateResult, RestartJob, RestartResult } from './messages.js';
import { restartRound } from './restart-round.js';

answerOneJob((job: CreateJob | RestartJob): Promise<CreateResult | RestartResult> => {
  switch (job.kind) {
    case 'create':
      return createRound(job);
    case 'restart':
      return restartRound(job);
    default: {
      const unknown: never = job;
      throw new Error(`unknown job ${JSON.stringify(unknown)}`);
    }
  }
});
