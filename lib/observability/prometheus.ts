import 'server-only';
import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import {
  dueAgeSeconds,
  LATENCY_BUCKETS_S,
  type HistogramSnapshot,
  type ListenHealth,
  type ProcessMetricsSnapshot,
  type QueueMetrics,
} from '@/lib/queue';

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export interface MetricsInput {
  db: QueueMetrics;
  process: ProcessMetricsSnapshot;
  listen: ListenHealth;
  now: Date;
}

/**
 * The Prometheus text for one scrape. A fresh Registry each time, filled from what was just read: no
 * metric lives between scrapes and prom-client's global registry is never touched. Names starting
 * `steady_process_` and `steady_listen_` are this process's own (see docs/observability.md); the rest
 * come from the database and read the same from every instance.
 */
export async function renderMetrics(input: MetricsInput): Promise<string> {
  const { db, process: proc, listen, now } = input;
  const registers = [new Registry()];
  const [registry] = registers;
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers });

  const jobs = gauge('steady_jobs', 'Jobs by queue, type and status (rows in the jobs table).', [
    'queue',
    'type',
    'status',
  ]);
  for (const j of db.jobs) jobs.set({ queue: j.queue, type: j.type, status: j.status }, j.count);

  const paused = gauge('steady_queue_paused', '1 when the queue is paused: its due jobs wait on purpose.', ['queue']);
  for (const q of db.queues) paused.set({ queue: q.name }, q.paused ? 1 : 0);

  gauge(
    'steady_oldest_due_job_age_seconds',
    'Seconds since the oldest due pending job became due (0: none is due).',
  ).set(dueAgeSeconds(db.due.oldestDueAt, now));
  const queueAge = gauge(
    'steady_queue_oldest_due_job_age_seconds',
    'Per queue: seconds since its oldest due pending job became due.',
    ['queue'],
  );
  const seen = new Set(db.due.byQueue.map((q) => q.queue));
  for (const q of db.due.byQueue) queueAge.set({ queue: q.queue }, dueAgeSeconds(q.oldestDueAt, now));
  for (const q of db.queues) if (!seen.has(q.name)) queueAge.set({ queue: q.name }, 0);

  const since = {
    help: `since ${db.today.since.toISOString().slice(0, 10)} 00:00 UTC; resets at each UTC midnight; all workers`,
  };
  const completions = counter('steady_job_completions_total', `Jobs completed, ${since.help}.`, ['queue', 'type']);
  const failures = counter(
    'steady_job_failures_total',
    `Jobs failed for good (attempts spent or a permanent error), ${since.help}.`,
    ['queue', 'type'],
  );
  const runSeconds = counter('steady_job_run_seconds_total', `Run time of the completed jobs, ${since.help}.`, [
    'queue',
    'type',
  ]);
  for (const t of db.today.byType) {
    const labels = { queue: t.queue, type: t.type };
    completions.inc(labels, t.completed);
    failures.inc(labels, t.failed);
    runSeconds.inc(labels, t.durationMsSum / 1000);
  }

  const recentHelp = 'over the newest 200 completions of each type in the queue';
  const pickup = gauge('steady_queue_pickup_latency_seconds', `Due → started (the last attempt), ${recentHelp}.`, [
    'queue',
    'quantile',
  ]);
  const run = gauge('steady_queue_run_duration_seconds', `Run time, ${recentHelp}.`, ['queue', 'quantile']);
  for (const l of db.latency) {
    pickup.set({ queue: l.queue, quantile: '0.5' }, l.pickupP50Ms / 1000);
    pickup.set({ queue: l.queue, quantile: '0.95' }, l.pickupP95Ms / 1000);
    run.set({ queue: l.queue, quantile: '0.5' }, l.runP50Ms / 1000);
    run.set({ queue: l.queue, quantile: '0.95' }, l.runP95Ms / 1000);
  }

  const cap = gauge('steady_limit_concurrency', "A limit's cap on jobs running at once (absent: no cap).", ['key']);
  const running = gauge('steady_limit_in_flight', 'Jobs running under a limit now (counted up to 10,000).', ['key']);
  const tokens = gauge('steady_limit_tokens', "Starts a limit's token bucket holds now (absent: no rate).", ['key']);
  const rate = gauge('steady_limit_rate_per_second', "A limit's rate, in starts per second.", ['key']);
  const cooling = gauge(
    'steady_limit_cooldown_remaining_seconds',
    "Seconds until a limit's cool-down ends (0: not cooling down).",
    ['key'],
  );
  let coolingNow = 0;
  for (const l of db.limits) {
    const key = { key: l.key };
    running.set(key, l.running);
    if (l.concurrency !== null) cap.set(key, l.concurrency);
    if (l.tokens !== null) tokens.set(key, l.tokens);
    if (l.rate !== null && l.periodMs) rate.set(key, (l.rate * 1000) / l.periodMs);
    const left = l.cooldownUntil ? Math.max(0, (l.cooldownUntil.getTime() - now.getTime()) / 1000) : 0;
    if (left > 0) coolingNow++;
    cooling.set(key, left);
  }
  gauge('steady_limit_cooldowns_active', 'Limits cooling down now.').set(coolingNow);

  gauge(
    'steady_process_start_time_seconds',
    'When this process began counting its steady_process_* metrics (Unix time).',
  ).set(proc.startedAt.getTime() / 1000);
  const outcomes = counter(
    'steady_process_job_runs_total',
    'Runs this process finished, by outcome: completed, retrying (failed, will retry), failed (for good), deferred (rate limited), lost (lease lost).',
    ['queue', 'type', 'outcome'],
  );
  for (const s of proc.series) {
    for (const [outcome, n] of Object.entries(s.outcomes)) outcomes.inc({ queue: s.queue, type: s.type, outcome }, n);
  }
  counter('steady_process_lease_rescues_total', 'Jobs whose expired lease this process put back to pending.').inc(
    proc.rescued,
  );
  registry.registerMetric(
    histogram(
      'steady_process_pickup_latency_seconds',
      'Due → started for the runs this process finished (run_at to the claim).',
      proc,
      (s) => s.pickupSeconds,
    ),
  );
  registry.registerMetric(
    histogram(
      'steady_process_run_duration_seconds',
      'Handler run time for the runs this process finished.',
      proc,
      (s) => s.runSeconds,
    ),
  );

  gauge('steady_listen_connections', 'LISTEN connections this process holds (a continuous worker holds one).').set(
    listen.listeners,
  );
  gauge(
    'steady_listen_connected',
    '1 when every LISTEN of this process is subscribed and its last probe came back.',
  ).set(listen.connected ? 1 : 0);
  const quiet = gauge(
    'steady_listen_seconds_since_notification',
    'Seconds since this process last received a notification (absent: none yet).',
  );
  if (listen.lastNotificationAt) quiet.set(Math.max(0, (now.getTime() - listen.lastNotificationAt.getTime()) / 1000));
  counter(
    'steady_listen_reconnects_total',
    'Times a LISTEN of this process subscribed again after its connection dropped.',
  ).inc(listen.reconnects);

  return registry.metrics();
}

/**
 * A histogram whose buckets were counted elsewhere (the engine's recorder). prom-client's Histogram
 * only observes; a registered metric may instead answer get() with its values, which is what this does.
 */
function histogram(
  name: string,
  help: string,
  proc: ProcessMetricsSnapshot,
  pick: (s: ProcessMetricsSnapshot['series'][number]) => HistogramSnapshot,
): Metric {
  const values = proc.series.flatMap((s) => {
    const h = pick(s);
    const labels = { queue: s.queue, type: s.type };
    return [
      ...[...LATENCY_BUCKETS_S, Number.POSITIVE_INFINITY].map((le, i) => ({
        metricName: `${name}_bucket`,
        labels: { ...labels, le: le === Number.POSITIVE_INFINITY ? '+Inf' : le },
        value: h.cumulative[i],
      })),
      { metricName: `${name}_sum`, labels, value: h.sum },
      { metricName: `${name}_count`, labels, value: h.count },
    ];
  });
  const metric = { name, help, type: 'histogram', aggregator: 'sum', values };
  return { ...metric, get: async () => metric } as unknown as Metric;
}
