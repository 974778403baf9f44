import { describe, expect, it } from 'vitest';
import { addDays, dayWindow, daysBetween, IsoDateSchema, isCalendarDate } from '@/lib/sync/dates';
import { defaultSyncDates } from '@/lib/sync/enqueue';
import { isValidHandle, requireHandle } from '@/lib/sync/handles';
import { PermanentJobError } from '@/lib/queue';
import { processQueueBudgetMs } from '@/lib/process-queue';

describe('dates', () => {
  it('accepts only real calendar dates', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    for (const bad of [
      '2027-02-29',
      '2026-02-30',
      '2026-13-01',
      '2026-00-10',
      '2026-1-5',
      '20260105',
      '2026-01-05T00:00:00Z',
      '',
    ])
      expect(isCalendarDate(bad), bad).toBe(false);
    expect(IsoDateSchema.safeParse('2026-02-30').error?.issues[0].message).toBe('is not a real calendar date');
    expect(IsoDateSchema.safeParse('1999-12-31').success).toBe(false);
  });

  it('does day arithmetic in UTC', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(daysBetween('2026-01-01', '2026-12-31')).toBe(364);
    expect(dayWindow('2026-03-29')).toEqual({
      start: new Date('2026-03-29T00:00:00Z'),
      end: new Date('2026-03-30T00:00:00Z'),
    });
  });

  it('sync-all syncs yesterday too during the first hours of a UTC day', () => {
    expect(defaultSyncDates(new Date('2026-05-02T00:00:00Z'))).toEqual(['2026-05-01', '2026-05-02']);
    expect(defaultSyncDates(new Date('2026-05-02T05:59:00Z'))).toEqual(['2026-05-01', '2026-05-02']);
    expect(defaultSyncDates(new Date('2026-05-02T06:00:00Z'))).toEqual(['2026-05-02']);
  });
});

describe('handles', () => {
  it('accepts what each API accepts and explains the rest', () => {
    expect(isValidHandle('github', 'octo-cat')).toBe(true);
    expect(isValidHandle('github', '-octo')).toBe(false);
    expect(isValidHandle('twitter', '@jack')).toBe(true);
    expect(isValidHandle('twitter', '12345678901234567890')).toBe(true);
    expect(isValidHandle('youtube', 'UC/../x')).toBe(false);
    expect(requireHandle('twitter', '@jack')).toBe('jack');
    expect(() => requireHandle('github', 'a/b')).toThrow(PermanentJobError);
    expect(() => requireHandle('github', 'a/b')).toThrow('"a/b" is not a GitHub username; fix the GitHub connection');
  });
});

describe('processQueueBudgetMs', () => {
  it('leaves room under the function limit', () => {
    expect(processQueueBudgetMs(60)).toBe(50_000);
    expect(processQueueBudgetMs(300)).toBe(290_000);
    expect(processQueueBudgetMs(5)).toBe(3_000);
  });
});
