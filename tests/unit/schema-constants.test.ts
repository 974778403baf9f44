import { describe, expect, it } from 'vitest';
import { BROWSED_STATUSES, DEFAULT_MAX_ATTEMPTS as SCHEMA_DEFAULT } from '@/drizzle/schema';
import { BROWSED } from '@/lib/queue/browser';
import { DEFAULT_MAX_ATTEMPTS } from '@/lib/queue';

// The schema imports nothing of the engine; these are the facts both sides must agree on.
describe('schema and engine constants', () => {
  it('the browsing indexes hold exactly the statuses the engine browses through them', () => {
    expect([...BROWSED].sort()).toEqual([...BROWSED_STATUSES].sort());
  });

  it('the engine uses the default attempts the schema writes into its columns', () => {
    expect(DEFAULT_MAX_ATTEMPTS).toBe(SCHEMA_DEFAULT);
  });
});
