import { createRequire } from 'node:module';
import PgBoss from 'pg-boss';
import { inParallel, NOOP_PAYLOAD, type QueueSystem } from './types';

const version: string = createRequire(import.meta.url)('pg-boss/package.json').version;
const QUEUE = 'bench';
// pg-boss 10 has no local concurrency option: each work() call is one fetch loop, so several run side
// by side. batchSize fetches and completes many jobs per round trip; 0.5 s is the minimum poll interval.
const WORKERS = 4;
const BATCH = 250;
const POLL_S = 0.5;

// Maintenance and cron are off: the drain measures the queue, and Steady runs none during it either.
function open(url: string, max = 10): PgBoss {
  const boss = new PgBoss({ connectionString: url, max, supervise: false, schedule: false, migrate: false });
  // A pool connection dropped after stop() (the database is dropped next) must not end the run.
  boss.on('error', () => {});
  return boss;
}

export const pgBoss: QueueSystem = {
  name: 'pg-boss',
  version,
  settings: `work() × ${WORKERS}, batchSize ${BATCH}, pollingIntervalSeconds ${POLL_S}, insert() for bulk`,
  async install(url) {
    const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false });
    boss.on('error', () => {});
    await boss.start();
    await boss.createQueue(QUEUE);
    await boss.stop({ graceful: false, wait: true });
  },
  async bulkEnqueue(url, n) {
    const boss = open(url, 2);
    await boss.start();
    await boss.insert(Array.from({ length: n }, (_, i) => ({ name: QUEUE, data: NOOP_PAYLOAD(i) })));
    await boss.stop({ graceful: false, wait: true });
  },
  async singleEnqueue(url, n, inFlight) {
    const boss = open(url, inFlight);
    await boss.start();
    await inParallel(n, inFlight, (i) => boss.send(QUEUE, NOOP_PAYLOAD(i)));
    await boss.stop({ graceful: false, wait: true });
  },
  async startDrain(url, onJob) {
    const boss = open(url, WORKERS + 2);
    await boss.start();
    for (let w = 0; w < WORKERS; w++) {
      await boss.work(QUEUE, { batchSize: BATCH, pollingIntervalSeconds: POLL_S }, async (jobs) => {
        for (let i = 0; i < jobs.length; i++) onJob();
      });
    }
    return { stop: () => boss.stop({ graceful: true, wait: true, timeout: 5_000 }) };
  },
  unfinishedSql: `select count(*)::int as n from pgboss.job where name = '${QUEUE}' and state < 'completed'`,
};
