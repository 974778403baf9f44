/**
 * Claims one job (under whatever limits apply) and holds it without end, as a worker stuck mid-job
 * would, until it is killed. Prints the claimed job's id. Env: DATABASE_URL, LEASE_MS, NOW (ISO).
 * Run with `node --conditions=react-server --import tsx tests/helpers/limit-holder.ts`.
 */
import { createDb } from '@/lib/db';
import { claimJobs } from '@/lib/queue';

const { db } = createDb({ url: process.env.DATABASE_URL!, max: 1, applicationName: 'limit-holder' });
const [job] = await claimJobs(db, {
  workerId: 'holder',
  limit: 1,
  leaseMs: Number(process.env.LEASE_MS ?? 1_000),
  now: new Date(process.env.NOW!),
});
process.stdout.write(`${job?.id ?? 'none'}\n`);
setInterval(() => {}, 60_000);
