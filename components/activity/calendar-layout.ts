// Pure: lays a year of days out as week columns (Monday first) with a colour level per day.

const DAY_MS = 86_400_000;
const toDate = (iso: string) => new Date(`${iso}T00:00:00Z`);
const toIso = (d: Date) => d.toISOString().slice(0, 10);

export interface CalendarCell {
  date: string;
  total: number;
  /** 0 for no activity, 1–4 by quartile of the active days. */
  level: 0 | 1 | 2 | 3 | 4;
}

export interface CalendarLayout {
  weeks: (CalendarCell | null)[][];
  /** Month name at the column where that month's first Monday-started week begins. */
  months: { column: number; label: string }[];
  activeDays: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The first day of the grid: `to` minus 52 weeks, moved back to a Monday. */
export function calendarStart(to: string): string {
  const from = new Date(toDate(to).getTime() - 364 * DAY_MS);
  const mondayOffset = (from.getUTCDay() + 6) % 7;
  return toIso(new Date(from.getTime() - mondayOffset * DAY_MS));
}

function quartiles(values: number[]): [number, number, number] {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.floor(q * (s.length - 1))] ?? 0;
  return [at(0.25), at(0.5), at(0.75)];
}

export function layoutCalendar(to: string, totals: ReadonlyMap<string, number>): CalendarLayout {
  const start = toDate(calendarStart(to));
  const end = toDate(to).getTime();
  const active = [...totals.values()].filter((v) => v > 0);
  const [q1, q2, q3] = quartiles(active);
  const levelOf = (n: number): CalendarCell['level'] => (n <= 0 ? 0 : n <= q1 ? 1 : n <= q2 ? 2 : n <= q3 ? 3 : 4);

  const weeks: (CalendarCell | null)[][] = [];
  const months: CalendarLayout['months'] = [];
  let activeDays = 0;
  for (let t = start.getTime(), i = 0; t <= end; t += DAY_MS, i++) {
    const day = new Date(t);
    const column = Math.floor(i / 7);
    if (i % 7 === 0) {
      weeks.push([]);
      // Label a month at the first column whose week contains that month's 1st.
      for (let k = 0; k < 7; k++) {
        const d = new Date(t + k * DAY_MS);
        if (d.getUTCDate() === 1 && t + k * DAY_MS <= end) months.push({ column, label: MONTHS[d.getUTCMonth()] });
      }
    }
    const date = toIso(day);
    const total = totals.get(date) ?? 0;
    if (total > 0) activeDays++;
    weeks[column].push({ date, total, level: levelOf(total) });
  }
  const last = weeks.at(-1);
  while (last && last.length < 7) last.push(null);
  return { weeks, months, activeDays };
}
