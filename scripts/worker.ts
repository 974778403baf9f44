/**
 * `npm run worker [-- --concurrency 20 --queues sync,profile]`: the queue as a long-lived process, for
 * deployments that are not serverless. Same job types and handlers as the cron route; wakes on
 * LISTEN/NOTIFY and polls as a fallback; SIGTERM/SIGINT stop claiming, let running jobs finish until
 * the deadline and hand the rest back. Settings come from flags, then WORKER_* variables (see README).
 */
import { createServer } from 'node:http';
import postgres from 'postgres';
import { z } from 'zod';
import { createDb } from '@/lib/db';
import { env } from '@/lib/env';
import { getJobTypes } from '@/lib/job-types';
import { listenWith, newWorkerId, startWorker } from '@/lib/queue';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const Settings = z.object({
  concurrency: int(1, 1000).default(10),
  prefetch: int(0, 1000).optional(),
  pollMs: int(10, 600_000).default(1_000),
  leaseMs: int(10_000, 86_400_000).default(60_000),
  shutdownMs: int(0, 600_000).default(25_000),
  queues: z
    .string()
    .regex(/^[\w.-]+(,[\w.-]+)*$/, 'a comma-separated list of queue names')
    .optional(),
  listen: z.enum(['on', 'off']).default('on'),
  // A direct (session) connection for LISTEN when DATABASE_URL goes through a transaction-mode pooler.
  listenUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  // GET /metrics on this port: /api/metrics as this process sees it (its runs, its LISTEN), same bearer.
  metricsPort: int(1, 65_535).optional(),
});

function readSettings(argv: string[], source: NodeJS.ProcessEnv) {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`Unexpected argument ${argv[i]}`);
    const key = m[1].replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    flags[key] = m[2] ?? argv[++i] ?? '';
  }
  const fromEnv = {
    concurrency: source.WORKER_CONCURRENCY,
    prefetch: source.WORKER_PREFETCH,
    pollMs: source.WORKER_POLL_MS,
    leaseMs: source.WORKER_LEASE_MS,
    shutdownMs: source.WORKER_SHUTDOWN_MS,
    queues: source.WORKER_QUEUES,
    listen: source.WORKER_LISTEN,
    listenUrl: source.WORKER_LISTEN_URL,
    metricsPort: source.WORKER_METRICS_PORT,
  };
  const merged = Object.fromEntries(
    Object.entries({ ...fromEnv, ...flags }).filter(([, v]) => v !== undefined && v !== ''),
  );
  const unknown = Object.keys(flags).filter((k) => !(k in Settings.shape));
  if (unknown.length) throw new Error(`Unknown option --${unknown.join(', --')}`);
  const parsed = Settings.safeParse(merged);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  return parsed.data;
}

const log = (line: string) => console.log(`[worker] ${line}`);

let settings: z.infer<typeof Settings>;
let config: ReturnType<typeof env>;
try {
  settings = readSettings(process.argv.slice(2), process.env);
  config = env();
} catch (err) {
  console.error(`[worker] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
}

// Claims, grouped completions and failures each take a connection; handlers may use a few more.
const { db, client } = createDb({
  url: config.DATABASE_URL,
  max: Math.min(50, settings.concurrency + 3),
  prepare: config.DATABASE_PREPARE,
  applicationName: 'steady-worker',
});
const listener =
  settings.listen === 'on'
    ? postgres(settings.listenUrl ?? config.DATABASE_URL, {
        max: 1,
        onnotice: () => {},
        connection: { application_name: 'steady-worker-listen' },
      })
    : null;
const types = getJobTypes();
const queues = settings.queues?.split(',');

const worker = await startWorker(db, types, {
  workerId: newWorkerId('worker'),
  concurrency: settings.concurrency,
  prefetch: settings.prefetch,
  pollIntervalMs: settings.pollMs,
  leaseMs: settings.leaseMs,
  queues,
  listen: listener ? listenWith(listener) : undefined,
  onOutcome: (o) => {
    if (o.outcome !== 'completed')
      log(`${o.type} ${o.id} attempt ${o.attempt}: ${o.outcome}${o.error ? ` (${o.error})` : ''}`);
  },
  // One line per error: a database that is down would otherwise print a full statement every poll.
  onError: (err) => {
    const cause = (err as { cause?: unknown })?.cause;
    const message = (e: unknown) => (e instanceof Error ? e.message.split('\n')[0] : String(e));
    console.error(`[worker] error: ${cause ? message(cause) : message(err)}`);
  },
}).catch((err: unknown) => {
  console.error('[worker] could not start:', err instanceof Error ? err.message : err);
  process.exit(1);
});

const handled = Object.entries(types)
  .filter(([, t]) => t.handle)
  .map(([name]) => name);
log(
  `${worker.workerId} running ${handled.length} job types${queues ? ` from ${queues.join(', ')}` : ''}, ` +
    `concurrency ${settings.concurrency}, ${listener ? 'LISTEN/NOTIFY with ' : ''}polling every ${settings.pollMs} ms`,
);

if (settings.metricsPort) {
  const { GET } = await import('@/app/api/metrics/route');
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const headers = new Headers();
    if (req.headers.authorization) headers.set('authorization', req.headers.authorization);
    void GET(new Request('http://worker/metrics', { headers })).then(
      async (r) => {
        res.writeHead(r.status, Object.fromEntries(r.headers)).end(await r.text());
      },
      () => res.writeHead(500).end(),
    );
  });
  server.listen(settings.metricsPort, () =>
    log(`metrics on :${settings.metricsPort}/metrics (bearer METRICS_TOKEN or CRON_SECRET)`),
  );
  server.unref();
}

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) {
    log(`${signal} again: exiting now; unfinished jobs return to the queue when their lease expires`);
    process.exit(1);
  }
  stopping = true;
  log(`${signal}: no new claims; running jobs have ${settings.shutdownMs} ms to finish`);
  const stats = await worker.stop({ deadlineMs: settings.shutdownMs });
  log(
    `stopped: ${stats.completed} completed, ${stats.failed} failed, ${stats.retried} retrying, ` +
      `${stats.deferred} deferred, ${stats.lost} lost, ${stats.released} handed back`,
  );
  await Promise.all([client.end({ timeout: 5 }), listener?.end({ timeout: 5 })]);
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
