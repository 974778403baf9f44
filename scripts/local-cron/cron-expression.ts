/**
 * The five-field cron syntax Vercel Cron accepts (UTC): minute hour day-of-month month day-of-week,
 * each a `*`, a number, a range `a-b`, a step `*\/n`, `a-b/n` or `a/n`, or a comma list of those.
 */
export interface CronSchedule {
  source: string;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  daysOfWeek: ReadonlySet<number>;
  /** Classic cron: when both day fields are restricted, a day matching either one runs. */
  dayOfMonthRestricted: boolean;
  dayOfWeekRestricted: boolean;
}

export class CronParseError extends Error {
  constructor(expr: string, problem: string) {
    super(`Invalid cron expression "${expr}": ${problem}`);
    this.name = 'CronParseError';
  }
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  // 7 is accepted as another Sunday, as most crons do.
  { name: 'day of week', min: 0, max: 7 },
] as const;

function parseField(expr: string, text: string, field: (typeof FIELDS)[number]): Set<number> {
  const out = new Set<number>();
  const num = (s: string) => {
    if (!/^\d+$/.test(s)) throw new CronParseError(expr, `${field.name} has "${s}" where a number was expected`);
    const n = Number(s);
    if (n < field.min || n > field.max) {
      throw new CronParseError(expr, `${field.name} ${n} is outside ${field.min}-${field.max}`);
    }
    return n;
  };
  for (const item of text.split(',')) {
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined || range === '')
      throw new CronParseError(expr, `${field.name} has a malformed item "${item}"`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!/^\d+$/.test(stepText ?? '1') || step < 1 || step > field.max) {
      throw new CronParseError(expr, `${field.name} step "${stepText}" must be a whole number from 1 to ${field.max}`);
    }
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [field.min, field.max];
    else if (range.includes('-')) {
      const [a, b, more] = range.split('-');
      if (more !== undefined) throw new CronParseError(expr, `${field.name} has a malformed range "${range}"`);
      [lo, hi] = [num(a), num(b)];
      if (lo > hi) throw new CronParseError(expr, `${field.name} range ${lo}-${hi} runs backwards`);
    } else {
      lo = num(range);
      hi = stepText === undefined ? lo : field.max;
    }
    for (let v = lo; v <= hi; v += step) out.add(field.name === 'day of week' && v === 7 ? 0 : v);
  }
  return out;
}

export function parseCron(expr: string): CronSchedule {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5 || parts[0] === '') {
    throw new CronParseError(
      expr,
      `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts[0] === '' ? 0 : parts.length}`,
    );
  }
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = parts.map((p, i) => parseField(expr, p, FIELDS[i]));
  return {
    source: expr,
    minutes,
    hours,
    daysOfMonth,
    months,
    daysOfWeek,
    dayOfMonthRestricted: parts[2] !== '*',
    dayOfWeekRestricted: parts[4] !== '*',
  };
}

function dayMatches(s: CronSchedule, at: Date): boolean {
  const dom = s.daysOfMonth.has(at.getUTCDate());
  const dow = s.daysOfWeek.has(at.getUTCDay());
  if (s.dayOfMonthRestricted && s.dayOfWeekRestricted) return dom || dow;
  return dom && dow;
}

/** Whether the schedule fires in the UTC minute containing `at`. */
export function cronMatches(s: CronSchedule, at: Date): boolean {
  return (
    s.minutes.has(at.getUTCMinutes()) &&
    s.hours.has(at.getUTCHours()) &&
    s.months.has(at.getUTCMonth() + 1) &&
    dayMatches(s, at)
  );
}

/** The first minute strictly after `after` at which the schedule fires (searching up to 5 years). */
export function nextCronTime(s: CronSchedule, after: Date): Date {
  const t = new Date(after);
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  const limit = after.getTime() + 5 * 366 * 86_400_000;
  while (t.getTime() <= limit) {
    if (!s.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(s, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!s.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
    } else if (!s.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    } else {
      return t;
    }
  }
  throw new CronParseError(s.source, 'never fires (no matching date within 5 years)');
}
