import { z } from 'zod';
import { createDb } from '@/lib/db';
import { defineJobType, enqueueJob, listenWith, startWorker } from '@/lib/queue';
import { steady } from '../systems/steady';
import { percentile, sleep, summarise } from '../lib/stats';
import type { BenchContext } from '../lib/context';

export const PICKUP = 'pickup latency';

/**
 * Enqueue → handler start with a continuous worker (LISTEN/NOTIFY, 1 s polling fallback) waiting on an
 * idle queue. The enqueue runs on the app's own pool, one job at a time, 20 ms apart.
 */
export async function runPickup(ctx: BenchContext): Promise<void> {
  const { config, results, log, server } = ctx;
  const db = await ctx.freshDb(steady, 'pickup');
  const app = createDb({ url: db.url, max: 2 });
  const workerDb = createDb({ url: db.url, max: 4 });
  let started: ((t: number) => void) | null = null;
  const types = {
    'bench.ping': defineJobType({
      queue: 'default',
      payloadSchema: z.object({}),
      handle: async () => {
        started?.(performance.now());
        return null;
      },
    }),
  };
  const worker = await startWorker(workerDb.db, types, {
    concurrency: 10,
    pollIntervalMs: 1_000,
    listen: listenWith(workerDb.client),
  });
  const p50: number[] = [];
  const p95: number[] = [];
  for (let round = 0; round < config.rounds; round++) {
    const lat: number[] = [];
    for (let i = 0; i < config.pickupSamples; i++) {
      await sleep(20);
      const picked = new Promise<number>((resolve) => {
        started = resolve;
      });
      const t0 = performance.now();
      await enqueueJob(app.db, types, { type: 'bench.ping' });
      const t1 = await Promise.race([picked, sleep(5_000).then(() => Number.NaN)]);
      if (Number.isNaN(t1)) throw new Error('a job was not picked up within 5 s');
      lat.push(t1 - t0);
    }
    p50.push(percentile(lat, 50));
    p95.push(percentile(lat, 95));
  }
  await worker.stop({ deadlineMs: 2_000 });
  await Promise.all([app.client.end(), workerDb.client.end()]);
  results.add({
    scenario: PICKUP,
    label: 'p50',
    unit: 'ms',
    better: 'lower',
    summary: summarise(p50),
    note: 'idle queue, LISTEN/NOTIFY',
  });
  results.add({
    scenario: PICKUP,
    label: 'p95',
    unit: 'ms',
    better: 'lower',
    summary: summarise(p95),
    note: 'idle queue, LISTEN/NOTIFY',
  });
  log(`pickup p50 ${p50.map((v) => v.toFixed(1)).join('/')} ms`);
  await server.dropDatabase(db.name);
}
