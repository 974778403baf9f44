/**
 * Stands in for Vercel Cron on a laptop: reads the crons in vercel.json and calls each path on its
 * schedule (UTC) with GET and the bearer, as Vercel does, logging one line per call.
 * `npm run dev` starts it; LOCAL_CRON=off leaves it out.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { cronMatches, nextCronTime, parseCron, type CronSchedule } from './local-cron/cron-expression';

const VercelJson = z.object({
  crons: z.array(z.object({ path: z.string().startsWith('/'), schedule: z.string() })).default([]),
});

export interface CronEntry {
  path: string;
  schedule: CronSchedule;
}

export function loadCrons(file = path.resolve('vercel.json')): CronEntry[] {
  const parsed = VercelJson.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data.crons.map((c) => ({ path: c.path, schedule: parseCron(c.schedule) }));
}

// Vercel waits up to the function's maxDuration; a little more before calling it a hang.
const CALL_TIMEOUT_MS = 70_000;

/** A short, single-line account of a route's JSON answer: its scalar fields and non-zero counts. */
export function summarize(body: unknown): string {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return JSON.stringify(body)?.slice(0, 160) ?? '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(body)) {
    if (['string', 'number', 'boolean'].includes(typeof v) && k !== 'workerId')
      parts.push(`${k}=${String(v).slice(0, 80)}`);
    else if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string'))
      parts.push(`${k}=${v.join(',').slice(0, 80)}`);
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      const counts = Object.entries(v).filter(([, n]) => typeof n === 'number' && n !== 0);
      if (counts.length) parts.push(`${k}={${counts.map(([a, n]) => `${a}:${n}`).join(' ')}}`);
    }
  }
  return parts.join(' ').slice(0, 300);
}

/** One call as Vercel Cron makes it; resolves with the line it logged. Never throws. */
export async function callCron(opts: {
  baseUrl: string;
  secret: string;
  path: string;
  fetch?: typeof fetch;
}): Promise<string> {
  const started = Date.now();
  try {
    const res = await (opts.fetch ?? fetch)(new URL(opts.path, opts.baseUrl), {
      method: 'GET',
      headers: { authorization: `Bearer ${opts.secret}`, 'user-agent': 'vercel-cron/1.0 (local)' },
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: shown as text */
    }
    return `cron GET ${opts.path} → ${res.status} in ${Date.now() - started} ms ${summarize(body)}`.trim();
  } catch (err) {
    const reason = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    return `cron GET ${opts.path} failed after ${Date.now() - started} ms: ${reason}`;
  }
}

export function startLocalCron(opts: {
  baseUrl: string;
  secret: string;
  log: (line: string) => void;
  file?: string;
  fetch?: typeof fetch;
}): { stop(): void } {
  let crons: CronEntry[];
  try {
    crons = loadCrons(opts.file);
  } catch (err) {
    opts.log(`local cron off: ${err instanceof Error ? err.message : String(err)}`);
    return { stop() {} };
  }
  const running = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const tick = (minute: Date) => {
    for (const c of crons) {
      if (!cronMatches(c.schedule, minute)) continue;
      // A call still running when its next slot comes is not doubled (Vercel would; locally it only adds noise).
      if (running.has(c.path)) {
        opts.log(`cron GET ${c.path} skipped: the previous call is still running`);
        continue;
      }
      running.add(c.path);
      void callCron({ ...opts, path: c.path }).then((line) => {
        running.delete(c.path);
        if (!stopped) opts.log(line);
      });
    }
  };

  const scheduleNext = () => {
    if (stopped) return;
    const now = new Date();
    const next = new Date(now);
    next.setUTCSeconds(0, 0);
    next.setUTCMinutes(next.getUTCMinutes() + 1);
    timer = setTimeout(
      () => {
        tick(next);
        scheduleNext();
      },
      next.getTime() - now.getTime() + 50,
    );
    timer.unref();
  };

  const now = new Date();
  opts.log(
    `local cron: ${crons.map((c) => `${c.path} (${c.schedule.source}, next ${nextCronTime(c.schedule, now).toISOString().slice(11, 16)} UTC)`).join(', ')}; LOCAL_CRON=off disables it`,
  );
  scheduleNext();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
