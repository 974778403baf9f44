import { createRequire } from 'node:module';
import { makeWorkerUtils, run, runMigrations, Logger } from 'graphile-worker';
import { inParallel, NOOP_PAYLOAD, type QueueSystem } from './types';

const version: string = createRequire(import.meta.url)('graphile-worker/package.json').version;
const TASK = 'noop';
const quiet = new Logger(() => () => {});

// The configuration from graphile-worker's performance page (worker.graphile.org/docs/performance).
const CONCURRENCY = 24;
const preset = {
  worker: {
    concurrentJobs: CONCURRENCY,
    maxPoolSize: CONCURRENCY + 1,
    localQueue: { size: 500 },
    completeJobBatchDelay: 0,
    failJobBatchDelay: 0,
  },
};

export const graphile: QueueSystem = {
  name: 'graphile-worker',
  version,
  settings: `concurrency ${CONCURRENCY}, maxPoolSize ${CONCURRENCY + 1}, localQueue.size 500, completeJobBatchDelay 0, failJobBatchDelay 0, addJobs for bulk`,
  async install(url) {
    await runMigrations({ connectionString: url, logger: quiet });
  },
  async bulkEnqueue(url, n) {
    const utils = await makeWorkerUtils({ connectionString: url, logger: quiet });
    await utils.addJobs(Array.from({ length: n }, (_, i) => ({ identifier: TASK, payload: NOOP_PAYLOAD(i) })));
    await utils.release();
  },
  async singleEnqueue(url, n, inFlight) {
    const utils = await makeWorkerUtils({ connectionString: url, logger: quiet });
    await utils.withPgClient(async () => {}); // connect before the clock starts, as the others do
    await inParallel(n, inFlight, (i) => utils.addJob(TASK, NOOP_PAYLOAD(i)));
    await utils.release();
  },
  async startDrain(url, onJob) {
    const runner = await run({
      connectionString: url,
      concurrency: CONCURRENCY,
      noHandleSignals: true,
      logger: quiet,
      preset,
      taskList: { [TASK]: async () => { onJob(); } },
    });
    return { stop: () => runner.stop() };
  },
  unfinishedSql: 'select count(*)::int as n from graphile_worker._private_jobs',
};
