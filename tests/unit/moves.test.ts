import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PgDialect } from 'drizzle-orm/pg-core';
import { MOVES, move } from '@/lib/queue/moves';
import { TRANSITIONS, sourcesOf } from '@/lib/queue/transitions';

const text = (m: ReturnType<typeof move>, column: string) => new PgDialect().sqlToQuery(m.guard(column)).sql;

describe('status guards derived from the transition table', () => {
  it('take every move along an edge of the table', () => {
    for (const [name, m] of Object.entries(MOVES)) {
      for (const from of m.from)
        for (const to of m.to) expect(TRANSITIONS[from], `${name}: ${from} → ${to}`).toContain(to);
    }
  });

  it('are the table’s sources for the targets, narrowed only by a declared `only`', () => {
    for (const m of Object.values(MOVES)) {
      const allowed = m.to.map((t) => sourcesOf(t)).reduce((a, b) => a.filter((s) => b.includes(s)));
      expect(allowed).toEqual(expect.arrayContaining([...m.from]));
    }
    expect(MOVES.cancel.from).toEqual(sourcesOf('cancelled'));
    expect(MOVES.pause.from).toEqual(sourcesOf('paused'));
    expect(MOVES.claim.from).toEqual(sourcesOf('processing'));
  });

  it('refuse, when the module loads, a guard wider than the table', () => {
    expect(() => move(['completed'], ['pending', 'processing'])).toThrow(/no move from pending to completed/);
    expect(() => move(['pending'], ['completed'])).toThrow();
  });

  it('print one fixed fragment per column', () => {
    expect(text(MOVES.complete, 'j.status::text')).toBe("j.status::text = 'processing'");
    expect(text(MOVES.retry, 'j.status')).toBe("j.status in ('failed', 'cancelled')");
    expect(MOVES.fail.guard('j.status')).toBe(MOVES.fail.guard('j.status'));
  });

  it('hold in the claim function too: steady_claimable reads only the statuses a claim may take', () => {
    const file = readFileSync(path.resolve(import.meta.dirname, '../../lib/queue/sql/claimable.sql'), 'utf8');
    const read = new Set([...file.matchAll(/status\s*=\s*'(\w+)'/g)].map((m) => m[1]));
    expect([...read]).toEqual([...MOVES.claim.from]);
  });
});
