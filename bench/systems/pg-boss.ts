import { PgBoss } from 'pg-boss';
import { inParallel, installedVersion, NOOP_PAYLOAD, type QueueSystem } from './types';

const QUEUE = 'bench';
// pg-boss's throughput options for work(): localConcurrency runs that many fetch loops in one process,
// batchSize fetches and completes many jobs per round trip, and burstWhenBatchFull fetches again at
// once while batches come back full instead of sleeping the polling interval (0.5 s, its minimum).
const WORKERS = 4;
const BATCH = 250;
const POLL_S = 0.5;

// Maintenance, cron and migrations are off: the drain measures the queue, and Steady runs none during it.
function open(url: string, max = 10): PgBoss {
  const boss = new PgBoss({ connectionString: url, max, supervise: false, schedule: false, migrate: false });
  // A pool connection dropped after stop() (the database is dropped next) must not end the run.
  boss.on('error', () => {});
  return boss;
}

const stopNow = (boss: PgBoss) => boss.stop({ graceful: false, timeout: 1_000 });

export const pgBoss: QueueSystem = {
  name: 'pg-boss',
  version: installedVersion('pg-boss'),
  settings:
    `work() with localConcurrency ${WORKERS}, batchSize ${BATCH}, burstWhenBatchFull, ` +
    `pollingIntervalSeconds ${POLL_S}; supervise and schedule off; insert() for bulk`,
  async install(url) {
    const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false });
    boss.on('error', () => {});
    await boss.start();
    await boss.createQueue(QUEUE);
    await stopNow(boss);
  },
  async bulkEnqueue(url, n) {
    const boss = open(url, 2);
    await boss.start();
    await boss.insert(
      QUEUE,
      Array.from({ length: n }, (_, i) => ({ data: NOOP_PAYLOAD(i) })),
    );
    await stopNow(boss);
  },
  async singleEnqueue(url, n, inFlight) {
    const boss = open(url, inFlight);
    await boss.start();
    await inParallel(n, inFlight, (i) => boss.send(QUEUE, NOOP_PAYLOAD(i)));
    await stopNow(boss);
  },
  async startDrain(url, onJob) {
    const boss = open(url, WORKERS + 2);
    await boss.start();
    await boss.work(
      QUEUE,
      { localConcurrency: WORKERS, batchSize: BATCH, burstWhenBatchFull: true, pollingIntervalSeconds: POLL_S },
      async (jobs) => {
        for (let i = 0; i < jobs.length; i++) onJob();
      },
    );
    return { stop: () => boss.stop({ graceful: true, timeout: 5_000 }) };
  },
  unfinishedSql: `select count(*)::int as n from pgboss.job where name = '${QUEUE}' and state < 'completed'`,
};
