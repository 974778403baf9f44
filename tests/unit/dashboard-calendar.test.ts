import { describe, expect, it } from 'vitest';
import { calendarStart, layoutCalendar } from '@/components/activity/calendar-layout';

describe('year calendar layout', () => {
  it('starts on the Monday 52 weeks back and ends at the given day', () => {
    // 2026-03-18 is a Wednesday; 364 days earlier is Wednesday 2025-03-19; its Monday is 2025-03-17.
    expect(calendarStart('2026-03-18')).toBe('2025-03-17');
    const layout = layoutCalendar('2026-03-18', new Map());
    expect(layout.weeks).toHaveLength(53);
    expect(layout.weeks[0][0]?.date).toBe('2025-03-17');
    const last = layout.weeks.at(-1)!;
    expect(last.map((c) => c?.date ?? null)).toEqual([
      '2026-03-16',
      '2026-03-17',
      '2026-03-18',
      null,
      null,
      null,
      null,
    ]);
  });

  it('gives no-activity days level 0 and spreads active days over levels 1–4 by quartile', () => {
    const totals = new Map([
      ['2026-03-10', 1],
      ['2026-03-11', 2],
      ['2026-03-12', 3],
      ['2026-03-13', 40],
    ]);
    const cells = layoutCalendar('2026-03-18', totals)
      .weeks.flat()
      .filter((c) => c !== null);
    const level = (d: string) => cells.find((c) => c.date === d)?.level;
    expect(level('2026-03-09')).toBe(0);
    expect(level('2026-03-10')).toBe(1);
    expect(level('2026-03-13')).toBe(4);
    expect(layoutCalendar('2026-03-18', totals).activeDays).toBe(4);
  });

  it('labels each month once, at the week holding its first day', () => {
    const { months } = layoutCalendar('2026-03-18', new Map());
    expect(months.map((m) => m.label)).toEqual([
      'Apr',
      'May',
      'Jun',
      'Jul',
      'Aug',
      'Sep',
      'Oct',
      'Nov',
      'Dec',
      'Jan',
      'Feb',
      'Mar',
    ]);
    // 2025-04-01 is a Tuesday in the week of Monday 2025-03-31, the third column.
    expect(months[0].column).toBe(2);
  });
});
