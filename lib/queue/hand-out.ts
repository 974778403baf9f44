import { sql } from 'drizzle-orm';
import { rows, textArray, ts } from './sql';
import { toJob } from './rows';
import type { Db, Job } from './types';

export interface HandOutOptions {
  /** Recorded as the holder (locked_by on the waiting row) until `holdMs` passes. */
  workerId: string;
  limit: number;
  holdMs: number;
  now: Date;
  types?: readonly string[];
  stage?: string;
}

/**
 * Hands out up to `limit` due jobs without starting them, for workers that confirm a start themselves
 * (the pipeline's poll, then its `processing` update). The rows stay pending and keep their attempts:
 * only the confirmation (claimJobById) spends one. run_at moves to the end of the hold, so no other
 * hand-out or claim sees them until then; a hand-out nobody confirms is simply due again. Picked by
 * steady_claimable (SKIP LOCKED, paused queues and limits as for a claim), so concurrent callers get
 * disjoint sets. No history row: a hand-out changes no status.
 */
export async function handOutJobs(db: Db, opts: HandOutOptions): Promise<Job[]> {
  const limit = Math.min(Math.floor(opts.limit), 1000);
  if (!(limit >= 1)) return [];
  const until = ts(new Date(opts.now.getTime() + opts.holdMs));
  const types = opts.types ? textArray(opts.types) : sql`null::text[]`;
  const found = await rows(
    db,
    sql`
    with due as (
      select id, ord from steady_claimable(${ts(opts.now)}, ${limit}::int, ${types}, null::text[], ${opts.stage ?? null}::text)
        with ordinality as c(id, ord)
    )
    update jobs j set run_at = ${until}, locked_by = ${opts.workerId}, locked_until = ${until}, updated_at = ${ts(opts.now)}
    from due where j.id = due.id and j.status = 'pending'
    returning j.*, due.ord`,
  );
  return found.sort((a, b) => Number(a.ord) - Number(b.ord)).map(toJob);
}
