// A child process of the client benchmark: takes one job from the parent
// over IPC, runs it with one client, answers with the result (or the error)
// and exits. One client per process, so clients never share an event loop.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import type { ClientDriver } from './driver.js';
import { CPU_PROFILE_ENV, type ClientName, type Job, type JobResult, type WorkerReply } from './messages.js';
import { runConsume } from './consume-run.js';
import { runEndToEnd } from './latency-run.js';
import { runProduce } from './produce-run.js';

async function loadDriver(client: ClientName): Promise<ClientDriver> {
  switch (client) {
    case 'kstream':
      return (await import('./kstream-driver.js')).kstreamDriver();
    case 'kafkajs':
      return (await import('./kafkajs-driver.js')).kafkajsDriver();
    case 'platformatic':
      return (await import('./platformatic-driver.js')).platformaticDriver();
    default: {
      const unknown: never = client;
      throw new Error(`unknown client ${String(unknown)}`);
    }
  }
}

async function run(job: Job): Promise<JobResult> {
  const driver = await loadDriver(job.client);
  const profileFile = process.env[CPU_PROFILE_ENV];
  if (profileFile === undefined) return runWith(driver, job);
  // Profiled from here, so the figures' code is not drowned by module loading.
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await runWith(driver, job);
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(profileFile, JSON.stringify(profile));
    session.disconnect();
  }
}

function runWith(driver: ClientDriver, job: Job): Promise<JobResult> {
  switch (job.kind) {
    case 'produce':
      return runProduce(driver, job);
    case 'consume':
      return runConsume(driver, job);
    case 'e2e':
      return runEndToEnd(driver, job);
    default: {
      const unknown: never = job;
      throw new Error(`unknown job ${JSON.stringify(unknown)}`);
    }
  }
}

process.once('message', (job: Job) => {
  run(job)
    .then(
      (value): WorkerReply => ({ ok: true, value, node: process.version }),
      (error: unknown): WorkerReply => ({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error), node: process.version }),
    )
    .then((reply) => process.send!(reply, () => process.exit(0)));
});
