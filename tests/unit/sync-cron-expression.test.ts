import { describe, expect, it } from 'vitest';
import { CronParseError, cronMatches, nextCronTime, parseCron } from '@/scripts/local-cron/cron-expression';

const at = (iso: string) => new Date(iso);

describe('parseCron', () => {
  it('expands *, */n, ranges, lists and stepped ranges', () => {
    const s = parseCron('*/15 0-2,20 1,15 */6 1-5/2');
    expect([...s.minutes]).toEqual([0, 15, 30, 45]);
    expect([...s.hours]).toEqual([0, 1, 2, 20]);
    expect([...s.daysOfMonth]).toEqual([1, 15]);
    expect([...s.months]).toEqual([1, 7]);
    expect([...s.daysOfWeek]).toEqual([1, 3, 5]);
  });

  it('reads a/n as "from a to the end, every n" and 7 as Sunday', () => {
    expect([...parseCron('50/5 * * * *').minutes]).toEqual([50, 55]);
    expect([...parseCron('0 0 * * 7').daysOfWeek]).toEqual([0]);
  });

  it.each([
    ['', /expected 5 fields/],
    ['* * * *', /expected 5 fields .*, got 4/],
    ['60 * * * *', /minute 60 is outside 0-59/],
    ['* 24 * * *', /hour 24 is outside 0-23/],
    ['* * 0 * *', /day of month 0 is outside 1-31/],
    ['* * * 13 *', /month 13 is outside 1-12/],
    ['*/0 * * * *', /step "0" must be a whole number/],
    ['5-1 * * * *', /runs backwards/],
    ['a * * * *', /"a" where a number was expected/],
    ['1,,2 * * * *', /malformed item/],
    ['1/2/3 * * * *', /malformed item/],
    ['* * * * MON', /"MON" where a number was expected/],
  ])('rejects %j', (expr, message) => {
    expect(() => parseCron(expr)).toThrow(CronParseError);
    expect(() => parseCron(expr)).toThrow(message);
  });
});

describe('cronMatches and nextCronTime (UTC)', () => {
  it('matches the schedules in vercel.json', () => {
    const every6h = parseCron('0 */6 * * *');
    expect(cronMatches(every6h, at('2026-05-01T06:00:30Z'))).toBe(true);
    expect(cronMatches(every6h, at('2026-05-01T07:00:00Z'))).toBe(false);
    expect(cronMatches(parseCron('* * * * *'), at('2026-05-01T07:13:00Z'))).toBe(true);
    const daily = parseCron('30 3 * * *');
    expect(nextCronTime(daily, at('2026-05-01T03:30:00Z')).toISOString()).toBe('2026-05-02T03:30:00.000Z');
    expect(nextCronTime(every6h, at('2026-05-01T19:59:59Z')).toISOString()).toBe('2026-05-02T00:00:00.000Z');
  });

  it('fires on either day field when both are restricted, as classic cron does', () => {
    const s = parseCron('0 12 13 * 5'); // the 13th, or any Friday
    expect(cronMatches(s, at('2026-03-13T12:00:00Z'))).toBe(true); // a Friday the 13th
    expect(cronMatches(s, at('2026-05-13T12:00:00Z'))).toBe(true); // a Wednesday
    expect(cronMatches(s, at('2026-05-15T12:00:00Z'))).toBe(true); // a Friday
    expect(cronMatches(s, at('2026-05-14T12:00:00Z'))).toBe(false);
  });

  it('finds rare dates and refuses impossible ones', () => {
    expect(nextCronTime(parseCron('0 0 29 2 *'), at('2026-03-01T00:00:00Z')).toISOString()).toBe(
      '2028-02-29T00:00:00.000Z',
    );
    expect(() => nextCronTime(parseCron('0 0 31 2 *'), at('2026-01-01T00:00:00Z'))).toThrow(/never fires/);
  });
});
