import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let counter = 0;
// Random bytes drawn 4 KiB at a time: one crypto call per id cost more than the rest of the id.
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/**
 * A UUIDv7: 48 bits of Unix milliseconds, then a 12-bit counter, then random bits. Ids made later sort
 * later, so a batch's primary-key entries land together at the right edge of the index instead of on
 * a random leaf each, and equal (priority, run_at) jobs are claimed in the order they were made.
 */
export function newJobId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    // Same millisecond (or a clock step back): keep counting so ids stay increasing in this process.
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      ms = ++lastMs;
      counter = 0;
    }
  } else {
    lastMs = ms;
    counter = 0;
  }
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
