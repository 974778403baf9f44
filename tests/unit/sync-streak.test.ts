import { describe, expect, it } from 'vitest';
import { computeStreaks } from '@/lib/sync/streak';

describe('computeStreaks', () => {
  const today = '2026-03-10';

  it('is all zeros without activity', () => {
    expect(computeStreaks([], today)).toEqual({ current: 0, longest: 0, activeDays: 0, lastActiveDate: null });
  });

  it('counts a run that ends today', () => {
    const s = computeStreaks(['2026-03-08', '2026-03-09', '2026-03-10'], today);
    expect(s).toMatchObject({ current: 3, longest: 3, activeDays: 3, lastActiveDate: '2026-03-10' });
  });

  it('keeps a run that ends yesterday alive: today is not over yet', () => {
    expect(computeStreaks(['2026-03-07', '2026-03-08', '2026-03-09'], today).current).toBe(3);
  });

  it('drops the current streak after a missed day', () => {
    const s = computeStreaks(['2026-03-06', '2026-03-07', '2026-03-08'], today);
    expect(s.current).toBe(0);
    expect(s.longest).toBe(3);
  });

  it('finds the longest run anywhere, independent of input order and duplicates', () => {
    const dates = ['2026-01-05', '2026-01-01', '2026-01-02', '2026-01-03', '2026-01-02', '2026-03-10', '2026-01-04'];
    expect(computeStreaks(dates, today)).toMatchObject({ current: 1, longest: 5, activeDays: 6 });
  });

  it('crosses month, year and leap-day boundaries', () => {
    expect(computeStreaks(['2027-12-31', '2028-01-01'], '2028-01-01').current).toBe(2);
    expect(computeStreaks(['2028-02-28', '2028-02-29', '2028-03-01'], '2028-03-01').current).toBe(3);
    expect(computeStreaks(['2027-02-28', '2027-03-01'], '2027-03-01').current).toBe(2);
  });

  it('ignores dates after today', () => {
    const s = computeStreaks(['2026-03-10', '2026-03-11', '2026-03-12'], today);
    expect(s).toMatchObject({ current: 1, longest: 1, activeDays: 1, lastActiveDate: today });
  });
});
