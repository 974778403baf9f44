import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCrons } from '@/scripts/local-cron';
import { cronMatches } from '@/scripts/local-cron/cron-expression';

const root = path.resolve(import.meta.dirname, '../..');
const routeFile = (p: string) => path.join(root, 'app', p, 'route.ts');

/** How often a schedule fires on each of 7 days from a fixed Monday (UTC). */
function firesPerDay(schedule: Parameters<typeof cronMatches>[0]): number[] {
  const start = Date.parse('2027-03-01T00:00:00Z');
  return Array.from({ length: 7 }, (_, d) => {
    let n = 0;
    for (let m = 0; m < 1440; m++) if (cronMatches(schedule, new Date(start + (d * 1440 + m) * 60_000))) n++;
    return n;
  });
}

describe('the Vercel schedules', () => {
  it('vercel.json (Pro) calls process-queue every minute, and every path is a route', () => {
    const crons = loadCrons(path.join(root, 'vercel.json'));
    expect(crons.map((c) => c.path)).toContain('/api/cron/process-queue');
    for (const c of crons) expect(existsSync(routeFile(c.path)), c.path).toBe(true);
    expect(firesPerDay(crons.find((c) => c.path === '/api/cron/process-queue')!.schedule)).toEqual(Array(7).fill(1440));
  });

  it("the Hobby file stays within Hobby's limits: two crons, each at most once a day, sync-all among them", () => {
    const crons = loadCrons(path.join(root, 'docs/vercel.hobby.json'));
    expect(crons.length).toBeLessThanOrEqual(2);
    expect(crons.map((c) => c.path)).toContain('/api/cron/sync-all');
    for (const c of crons) {
      expect(existsSync(routeFile(c.path)), c.path).toBe(true);
      expect(Math.max(...firesPerDay(c.schedule)), c.path).toBeLessThanOrEqual(1);
    }
  });
});
