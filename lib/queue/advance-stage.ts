import { sql } from 'drizzle-orm';
import { rows, ts, writeHistory } from './sql';
import { toJob } from './rows';
import { assertJobId, explainMiss } from './guard';
import { MOVES } from './moves';
import { QueueError, type Db, type Job } from './types';

const GUARD = MOVES.advance.guard('j.status');

export interface AdvanceOptions {
  id: string;
  /** The stage the job must be processing at; anything else is refused. */
  from: string;
  to: string;
  now: Date;
  /** Last stage: the job completes at `to` instead of waiting there. */
  finish?: boolean;
  result?: unknown;
  /** Guards like completion: only this lease holder, on this attempt. */
  workerId?: string;
  attempt?: number;
  message?: string;
}

/**
 * Completes the current stage of a multi-stage job in one guarded statement: the job either waits at
 * the next stage (pending, unleased, with a fresh attempt budget, since each stage's work fails on its
 * own) or, with `finish`, completes there. One history event records the move.
 */
export async function advanceStage(db: Db, opts: AdvanceOptions): Promise<Job> {
  assertJobId(opts.id);
  const finish = opts.finish === true;
  const holder = opts.workerId !== undefined ? sql`and j.locked_by = ${opts.workerId}` : sql``;
  const attempt = opts.attempt !== undefined ? sql`and j.attempts = ${opts.attempt}` : sql``;
  const now = ts(opts.now);
  const [row] = await rows(
    db,
    sql`
    with changed as (
      update jobs j
      set stage = ${opts.to},
          status = ${finish ? sql`'completed'::job_status` : sql`'pending'::job_status`},
          attempts = ${finish ? sql`j.attempts` : sql`0`},
          deferrals = ${finish ? sql`j.deferrals` : sql`0`},
          run_at = ${finish ? sql`j.run_at` : now},
          result = ${finish ? sql`${JSON.stringify(opts.result ?? null)}::jsonb` : sql`j.result`},
          completed_at = ${finish ? now : sql`null`},
          duration_ms = ${finish ? sql`greatest(0, round(extract(epoch from (${now} - j.started_at)) * 1000))::int` : sql`null`},
          last_error = null, locked_by = null, locked_until = null, progress = null, updated_at = ${now}
      where j.id = ${opts.id} and ${GUARD} and j.stage is not distinct from ${opts.from}
        ${holder} ${attempt}
      returning j.*, 'processing'::job_status as from_status
    ),
    history as (${writeHistory(opts.now, sql`${opts.workerId ?? null}`, sql`${opts.message ?? null}`)})
    select * from changed`,
  );
  if (row) return toJob(row);
  const [current] = await rows(db, sql`select status, stage from jobs where id = ${opts.id}`);
  if (current && current.status === 'processing' && current.stage !== opts.from) {
    throw new QueueError(
      'invalid_transition',
      `Job ${opts.id} is at stage ${String(current.stage)}, not ${opts.from}`,
      {
        stage: current.stage,
      },
    );
  }
  throw await explainMiss(db, opts.id, finish ? 'completed' : 'pending', opts.workerId);
}
