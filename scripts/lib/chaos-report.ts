/**
 * The soak's accounting, read from the jobs and their history after the run: what went in, how it
 * ended, whether anything ran twice without a reason, and how long jobs waited to be picked up.
 */
import { sql } from 'drizzle-orm';
import type { AppDb } from '@/lib/db';

export interface SoakCounts {
  jobsIn: number;
  rows: number;
  completed: number;
  /** Failed for a reason the soak set up on purpose: an account that does not exist (404). */
  failedExpected: number;
  failedOther: number;
  /** Not finished when the soak ended: scheduled for later (a deferral or a retry), not stuck. */
  unfinished: number;
  /** Enqueued but not in the table, or stuck (past its lease, or due for minutes and never picked up): must be 0. */
  lost: number;
  /** A claim while the previous claim of the same job had not ended, or a second completion: must be 0. */
  duplicates: number;
  /** Claims that followed a lease rescue: the handler may have run twice, by design (at-least-once). */
  leaseReRuns: number;
  retries: number;
  deferrals: number;
  pickupP50Ms: number;
  pickupP99Ms: number;
  maxAttempts: number;
}

const num = (v: unknown) => Number(v ?? 0);

export async function soakCounts(db: AppDb, jobsIn: number): Promise<SoakCounts> {
  const [c] = await db.execute(sql`
    select count(*)::int as rows,
           count(*) filter (where status = 'completed')::int as completed,
           count(*) filter (where status = 'failed' and last_error ~* 'not found|404')::int as failed_expected,
           count(*) filter (where status = 'failed' and last_error !~* 'not found|404')::int as failed_other,
           count(*) filter (where status in ('pending', 'processing', 'paused'))::int as unfinished,
           count(*) filter (where (status = 'processing' and locked_until < now())
                               or (status = 'pending' and run_at < now() - interval '2 minutes'))::int as stuck,
           max(attempts)::int as max_attempts
    from jobs`);
  // Each event against the one before it for the same job: a claim must follow a pending state.
  const [h] = await db.execute(sql`
    with ordered as (
      select job_id, to_status, from_status, message,
             lag(to_status) over (partition by job_id order by id) as prev_to,
             lag(message) over (partition by job_id order by id) as prev_message
      from job_events)
    select count(*) filter (where to_status = 'processing' and prev_to = 'processing')::int as double_claims,
           count(*) filter (where to_status = 'processing' and prev_message like 'Lease expired%')::int as lease_reruns,
           count(*) filter (where from_status = 'processing' and to_status = 'pending'
                            and message not like 'Lease expired%' and message not like 'Rate limited%'
                            and message not like 'Released%')::int as retries,
           count(*) filter (where from_status = 'processing' and to_status = 'pending' and message like 'Rate limited%')::int as deferrals,
           (select count(*)::int from (select job_id from job_events where to_status = 'completed'
                                       group by job_id having count(*) > 1) x) as double_completions
    from ordered`);
  // Pickup: from the moment a job was due to its first claim.
  const [p] = await db.execute(sql`
    with first_claim as (
      select job_id, min(at) as at from job_events where to_status = 'processing' group by job_id)
    select percentile_cont(0.5) within group (order by ms) as p50, percentile_cont(0.99) within group (order by ms) as p99
    from (select greatest(0, extract(epoch from (f.at - j.created_at)) * 1000) as ms
          from jobs j join first_claim f on f.job_id = j.id) x`);
  const rows = num(c.rows);
  return {
    jobsIn,
    rows,
    completed: num(c.completed),
    failedExpected: num(c.failed_expected),
    failedOther: num(c.failed_other),
    unfinished: num(c.unfinished),
    lost: Math.max(0, jobsIn - rows) + num(c.stuck),
    duplicates: num(h.double_claims) + num(h.double_completions),
    leaseReRuns: num(h.lease_reruns),
    retries: num(h.retries),
    deferrals: num(h.deferrals),
    pickupP50Ms: Math.round(num(p.p50)),
    pickupP99Ms: Math.round(num(p.p99)),
    maxAttempts: num(c.max_attempts),
  };
}

export function printSoakReport(
  c: SoakCounts,
  extra: {
    minutes: number;
    kills: number;
    appKills: number;
    faults: number;
    callerErrors: number;
    lateRefused: number;
    rss: { t: number; mb: number }[];
  },
): boolean {
  const rss = extra.rss;
  const quarter = Math.max(1, Math.floor(rss.length / 4));
  const avg = (xs: { mb: number }[]) => Math.round(xs.reduce((s, x) => s + x.mb, 0) / Math.max(1, xs.length));
  // Steady state: after the first quarter (warm-up, caches) compare the second quarter with the last.
  const steadyStart = avg(rss.slice(quarter, 2 * quarter));
  const steadyEnd = avg(rss.slice(-quarter));
  const series = rss
    .filter((_, i) => i % Math.max(1, Math.floor(rss.length / 12)) === 0 || i === rss.length - 1)
    .map((s) => `${Math.round(s.t / 1000)}s:${s.mb}`)
    .join(' ');
  const ok = c.lost === 0 && c.duplicates === 0 && c.jobsIn === c.rows;
  const lines = [
    '',
    `soak: ${extra.minutes} min against the built app: ${extra.kills} worker kills and ${extra.appKills} app kills (SIGKILL mid-batch), ` +
      `${extra.faults} platform fault windows (rate limits, 5xx, slow answers)`,
    `  jobs in                 ${c.jobsIn} (rows in the table: ${c.rows})`,
    `  completed               ${c.completed}`,
    `  failed as expected      ${c.failedExpected} (accounts that do not exist: 404)`,
    `  failed otherwise        ${c.failedOther}${c.failedOther > 0 ? ' (retries used up under injected faults)' : ''}`,
    `  not finished yet        ${c.unfinished} (scheduled for later: deferrals and retries)`,
    `  lost                    ${c.lost}  ${c.lost === 0 ? 'ok' : 'FAIL'}`,
    `  duplicates              ${c.duplicates}  ${c.duplicates === 0 ? 'ok' : 'FAIL'} (claims of a job still claimed, second completions)`,
    `  lease re-runs           ${c.leaseReRuns} (claims after a lease rescue: at-least-once, by design)`,
    `  retries / deferrals     ${c.retries} / ${c.deferrals}   max attempts used: ${c.maxAttempts}`,
    `  pickup latency          p50 ${c.pickupP50Ms} ms, p99 ${c.pickupP99Ms} ms`,
    `  late results refused    ${extra.lateRefused} (outcomes a caller could no longer write: its lease had been rescued)`,
    `  caller errors           ${extra.callerErrors} (process-queue calls that hit a killed or restarting app)`,
    `  app RSS (MB) over time  ${series}`,
    `  app RSS steady          ${steadyStart} MB → ${steadyEnd} MB (${steadyEnd >= steadyStart ? '+' : ''}${steadyEnd - steadyStart} MB)` +
      (steadyEnd > steadyStart * 1.25 ? '  WARN: grew by more than a quarter once steady' : ''),
    ok ? 'soak: OK' : 'soak: FAILED',
  ];
  console.log(lines.join('\n'));
  return ok;
}
