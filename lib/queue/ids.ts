import { randomFillSync } from 'node:crypto';

// The last counter used per millisecond, for the most recent milliseconds asked for: callers pass
// their own `now` (tests and backfills pass past ones), so "same millisecond" is not "latest".
const counters = new Map<number, number>();
const REMEMBERED = 1024;
// Random bytes drawn 4 KiB at a time: one crypto call per id cost more than the rest of the id.
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/**
 * A UUIDv7 for a row created at `atMs`: 48 bits of Unix milliseconds, then a 12-bit counter, then
 * random bits. Ids sort by creation time, so the primary key is the jobs list's order; a batch's
 * entries land together at the right edge of the index instead of on a random leaf each; and equal
 * (priority, run_at) jobs are claimed in the order they were made.
 */
export function newJobId(atMs: number = Date.now()): string {
  let ms = atMs;
  let counter = (counters.get(ms) ?? -1) + 1;
  // More than 4,096 ids in one millisecond: borrow the next one, as a clock would.
  while (counter > 0xfff) {
    counters.set(ms, 0xfff);
    ms++;
    counter = (counters.get(ms) ?? -1) + 1;
  }
  counters.delete(ms);
  counters.set(ms, counter);
  if (counters.size > REMEMBERED) counters.delete(counters.keys().next().value!);
  if (poolAt + 16 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const b = Buffer.from(pool.subarray(poolAt, (poolAt += 16)));
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
