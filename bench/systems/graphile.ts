import { makeWorkerUtils, run, runMigrations, Logger } from 'graphile-worker';
import { inParallel, installedVersion, NOOP_PAYLOAD, type QueueSystem } from './types';

const TASK = 'noop';
const quiet = new Logger(() => () => {});

// The configuration of graphile-worker's performance page (worker.graphile.org/docs/performance): a
// local queue fetches and locks 500 jobs per query, and completions and failures are batched.
const worker = {
  concurrentJobs: 24,
  maxPoolSize: 25,
  localQueue: { size: 500 },
  completeJobBatchDelay: 0,
  failJobBatchDelay: 0,
} satisfies GraphileConfig.WorkerOptions;
const preset: GraphileConfig.Preset = { worker };

export const graphile: QueueSystem = {
  name: 'graphile-worker',
  version: installedVersion('graphile-worker'),
  settings:
    `concurrentJobs ${worker.concurrentJobs}, maxPoolSize ${worker.maxPoolSize}, localQueue.size ${worker.localQueue.size}, ` +
    `completeJobBatchDelay ${worker.completeJobBatchDelay}, failJobBatchDelay ${worker.failJobBatchDelay} (its performance page's ` +
    'configuration); addJobs for bulk',
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
      noHandleSignals: true,
      logger: quiet,
      preset,
      taskList: {
        [TASK]: async () => {
          onJob();
        },
      },
    });
    return { stop: () => runner.stop() };
  },
  unfinishedSql: 'select count(*)::int as n from graphile_worker._private_jobs',
};
