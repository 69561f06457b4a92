// Issue 10's proof, CI's short run: RF 3, min.insync.replicas=2, acks=all
// keyed records on 6 partitions from several producers while the nemesis
// injects one fault at a time (crash, pause, cut link, cut controller
// channel, clean restart), then the acknowledged-write checker over the
// history and the final logs, served and on disk. The long run is
// `npm run faults -- --seed N --faults 100`; a failure's message starts
// with the summary, whose first line is the seed that replays it.
import { describe, expect, it } from 'vitest';
import { runFaults, type FaultRunResult } from './checker/fault-run.test-support.js';

function expectCleanRun(run: FaultRunResult): void {
  expect(run.result.violations, run.summary).toEqual([]);
  expect(run.unsettled, `every partition's ISR full again after healing\n${run.summary}`).toEqual([]);
  for (const [partition, acknowledged] of run.result.acknowledgedByPartition) {
    expect(acknowledged, `acknowledged records on partition ${partition}\n${run.summary}`).toBeGreaterThan(0);
  }
}

describe('acknowledged writes under faults', () => {
  it('ownProducerTwentyFaults: every acknowledged record survives 20 faults, at its offset and in order, replicas identical', async () => {
    expectCleanRun(await runFaults({ seed: 20261202, faults: 20, client: 'own', producers: 3 }));
  }, 110_000);

  it('kafkajsProducerFourFaults: kafkajs producers with acks=-1 lose nothing acknowledged across 4 faults', async () => {
    expectCleanRun(await runFaults({ seed: 4242, faults: 4, client: 'kafkajs', producers: 2 }));
  }, 60_000);
});
