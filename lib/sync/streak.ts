import 'server-only';
import { addDays, daysBetween } from './dates';

export interface Streaks {
  /** Consecutive active days ending today, or yesterday when today has no activity yet. */
  current: number;
  longest: number;
  activeDays: number;
  lastActiveDate: string | null;
}

/**
 * Pure: streaks from the dates (YYYY-MM-DD) that had any activity. Dates after `today` are ignored.
 * A streak that reaches yesterday still counts as current: the day is not over, so it is not broken yet.
 */
export function computeStreaks(activeDates: Iterable<string>, today: string): Streaks {
  const days = [...new Set(activeDates)].filter((d) => d <= today).sort();
  let longest = 0;
  let run = 0;
  for (let i = 0; i < days.length; i++) {
    run = i > 0 && daysBetween(days[i - 1], days[i]) === 1 ? run + 1 : 1;
    if (run > longest) longest = run;
  }
  const last = days.at(-1) ?? null;
  const alive = last !== null && (last === today || last === addDays(today, -1));
  return { current: alive ? run : 0, longest, activeDays: days.length, lastActiveDate: last };
}
