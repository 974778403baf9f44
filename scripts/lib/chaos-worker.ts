/**
 * A queue worker outside the app for the soak: runs the app's own process-queue batch in a loop, the
 * way a long-running worker deployment would, so the soak can SIGKILL it mid-batch and start another.
 * Run with `node --conditions=react-server --import tsx scripts/lib/chaos-worker.ts`; configured by the app's environment.
 */
import { getDb } from '@/lib/db';
import { processQueue } from '@/lib/process-queue';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

while (true) {
  try {
    const r = await processQueue(getDb(), { limit: 20, timeBudgetMs: 10_000 });
    if (r.claimed === 0) await pause(300);
  } catch (err) {
    console.error(`[chaos-worker ${process.pid}] batch failed: ${err instanceof Error ? err.message : String(err)}`);
    await pause(1_000);
  }
}
