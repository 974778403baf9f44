import { describe, expect, it } from 'vitest';
import { backoffDelayMs, nextRunAt, parseBackoff, DEFAULT_BACKOFF } from '@/lib/queue/backoff';

const policy = parseBackoff({ baseMs: 1000, maxMs: 60_000, factor: 2, jitter: 0 });

describe('backoff', () => {
  it('doubles per attempt from the base', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelayMs(a, policy))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('is capped at maxMs', () => {
    expect(backoffDelayMs(30, policy)).toBe(60_000);
  });

  it('jitter only shortens the delay, by at most the jitter fraction', () => {
    const jittery = parseBackoff({ baseMs: 1000, maxMs: 60_000, factor: 2, jitter: 0.5 });
    expect(backoffDelayMs(2, jittery, () => 0)).toBe(2000);
    expect(backoffDelayMs(2, jittery, () => 0.999999)).toBe(1000);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelayMs(3, jittery);
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });

  it('treats attempt numbers below 1 as the first retry', () => {
    expect(backoffDelayMs(0, policy)).toBe(1000);
    expect(backoffDelayMs(-3, policy)).toBe(1000);
  });

  it('nextRunAt adds the delay to now', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(nextRunAt(3, now, policy).toISOString()).toBe('2026-01-01T00:00:04.000Z');
  });

  it('falls back to the default policy on a malformed stored policy', () => {
    expect(parseBackoff({ baseMs: 'soon' })).toEqual(DEFAULT_BACKOFF);
    expect(parseBackoff(null)).toEqual(DEFAULT_BACKOFF);
    expect(parseBackoff({ priorityStep: 1 }).priorityStep).toBe(1);
  });
});
