import { sql, type SQL } from 'drizzle-orm';
import { TRANSITIONS } from './transitions';
import { JOB_STATUSES, type JobStatus } from './types';

/** A statement that changes a job's status: the statuses it may take rows from, and to. */
export interface Move {
  readonly from: readonly JobStatus[];
  readonly to: readonly JobStatus[];
  /** The guard on `column` (`j.status`, `status::text`…): a fixed SQL fragment, built once per column. */
  guard(column: string): SQL;
}

/**
 * The statuses a statement may move rows from are read off the transition table: every status with an
 * edge to each of the statement's targets, narrowed by `only` where the statement means less than the
 * table allows (a worker's release gives back its own lease, not a paused job). An `only` the table
 * does not allow throws when the module loads, so a guard cannot be widened past the table.
 */
export function move(to: readonly JobStatus[], only?: readonly JobStatus[]): Move {
  const allowed = JOB_STATUSES.filter((s) => to.every((t) => TRANSITIONS[s].includes(t)));
  const refused = (only ?? []).filter((s) => !allowed.includes(s));
  if (refused.length > 0)
    throw new Error(`The transition table has no move from ${refused.join(', ')} to ${to.join(' or ')}`);
  const from = only ? allowed.filter((s) => only.includes(s)) : allowed;
  if (from.length === 0) throw new Error(`No status may move to ${to.join(' or ')}`);
  const cache = new Map<string, SQL>();
  const text = from.length === 1 ? ` = '${from[0]}'` : ` in (${from.map((s) => `'${s}'`).join(', ')})`;
  return {
    from,
    to,
    guard(column) {
      let guard = cache.get(column);
      if (!guard) cache.set(column, (guard = sql.raw(`${column}${text}`)));
      return guard;
    },
  };
}

// Every status-changing statement of the engine, by the function that runs it. Statements that only
// touch a job in place (hand-out, join, lease extension, progress, waiting-job edits) change no status
// and have no entry. tests/integration/engine-moves.test.ts runs each against a job in every status.
export const MOVES = {
  claim: move(['processing']),
  claimOne: move(['processing']),
  complete: move(['completed']),
  fail: move(['failed', 'pending']),
  defer: move(['failed', 'pending']),
  rescue: move(['failed', 'pending']),
  release: move(['pending'], ['processing']),
  advance: move(['pending', 'completed']),
  retry: move(['pending'], ['failed', 'cancelled']),
  cancel: move(['cancelled']),
  pause: move(['paused']),
  resume: move(['pending'], ['paused']),
} as const satisfies Record<string, Move>;
