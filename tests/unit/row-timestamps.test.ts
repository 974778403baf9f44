import { describe, expect, it } from 'vitest';
import { parseTs } from '@/lib/queue/rows';

describe('parseTs (timestamps as the driver hands them over)', () => {
  it('reads PostgreSQL text in UTC, with other offsets, and ISO text', () => {
    expect(parseTs('2026-11-22 05:33:55.123456+00').toISOString()).toBe('2026-11-22T05:33:55.123Z');
    expect(parseTs('2026-11-22 05:33:55+02').toISOString()).toBe('2026-11-22T03:33:55.000Z');
    expect(parseTs('2026-11-22 05:33:55.5+05:30').toISOString()).toBe('2026-11-22T00:03:55.500Z');
    expect(parseTs('2026-11-22T05:33:55.123Z').toISOString()).toBe('2026-11-22T05:33:55.123Z');
  });

  it('gives a repeated text its own Date each time, so changing one leaves the next alone', () => {
    const a = parseTs('2026-01-02 03:04:05.678+00');
    a.setTime(0);
    const b = parseTs('2026-01-02 03:04:05.678+00');
    expect(b).not.toBe(a);
    expect(b.toISOString()).toBe('2026-01-02T03:04:05.678Z');
    expect(parseTs('2026-01-02 03:04:06+00').toISOString()).toBe('2026-01-02T03:04:06.000Z');
    expect(parseTs('2026-01-02 03:04:05.678+00').toISOString()).toBe('2026-01-02T03:04:05.678Z');
  });

  it('keeps two texts apart when rows alternate between them, and a third replaces the older', () => {
    for (let i = 0; i < 3; i++) {
      expect(parseTs('2026-03-01 00:00:00+00').toISOString()).toBe('2026-03-01T00:00:00.000Z');
      expect(parseTs('2026-03-02 00:00:00+00').toISOString()).toBe('2026-03-02T00:00:00.000Z');
    }
    expect(parseTs('2026-03-03 00:00:00+00').toISOString()).toBe('2026-03-03T00:00:00.000Z');
    expect(parseTs('2026-03-02 00:00:00+00').toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(parseTs('2026-03-01 00:00:00+00').toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('passes a Date through', () => {
    const d = new Date('2026-05-05T00:00:00Z');
    expect(parseTs(d)).toBe(d);
  });
});
