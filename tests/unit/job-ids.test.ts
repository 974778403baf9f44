import { describe, expect, it } from 'vitest';
import { newJobId } from '@/lib/queue/ids';

const msOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('job ids', () => {
  it('carry the creation time they are given, past ones included', () => {
    const past = Date.parse('2026-01-02T03:04:05.678Z');
    expect(msOf(newJobId(past))).toBe(past);
    expect(msOf(newJobId(past + 1))).toBe(past + 1);
    expect(newJobId(past)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sort in the order they were made within one millisecond, even after a later one was made', () => {
    const at = Date.parse('2026-03-01T00:00:00.000Z');
    newJobId(at + 5_000); // a later time first: the earlier millisecond keeps its own count
    const ids = Array.from({ length: 5_000 }, () => newJobId(at));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // 4,096 fit in a millisecond; the rest borrow the next one and still sort after.
    expect(msOf(ids[0])).toBe(at);
    expect(msOf(ids[4_999])).toBe(at + 1);
  });

  it("keep each millisecond's own order when callers alternate between two of them", () => {
    const a = Date.parse('2026-04-01T00:00:00.000Z');
    const b = a - 60_000; // a backfill's past time, interleaved with current ones
    const ofA: string[] = [];
    const ofB: string[] = [];
    for (let i = 0; i < 300; i++) {
      ofA.push(newJobId(a));
      ofB.push(newJobId(b));
      if (i % 3 === 0) ofB.push(newJobId(b));
    }
    for (const ids of [ofA, ofB]) {
      expect([...ids].sort()).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
    }
    expect(ofA.every((id) => msOf(id) === a)).toBe(true);
    expect(ofB.every((id) => msOf(id) === b)).toBe(true);
  });
});
