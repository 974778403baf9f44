import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from '@/lib/env';

const base = { DATABASE_URL: 'postgres://u:p@localhost:5432/steady' };

describe('environment', () => {
  it('applies defaults', () => {
    const env = parseEnv(base);
    expect(env.DATABASE_POOL_MAX).toBe(5);
    expect(env.DATABASE_PREPARE).toBe(true);
    expect(env.CRON_SECRET).toBeUndefined();
  });

  it('names the variable that is wrong', () => {
    expect(() => parseEnv({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a postgres/);
    expect(() => parseEnv({ ...base, DATABASE_POOL_MAX: 'lots' })).toThrow(/DATABASE_POOL_MAX/);
    expect(() => parseEnv({})).toThrow(EnvError);
  });

  it('turns prepared statements off for poolers', () => {
    expect(parseEnv({ ...base, DATABASE_PREPARE: 'false' }).DATABASE_PREPARE).toBe(false);
    expect(() => parseEnv({ ...base, DATABASE_PREPARE: 'maybe' })).toThrow(/DATABASE_PREPARE/);
  });

  it('treats an empty secret as unset and refuses a short one', () => {
    expect(parseEnv({ ...base, CRON_SECRET: '  ' }).CRON_SECRET).toBeUndefined();
    expect(() => parseEnv({ ...base, CRON_SECRET: 'short' })).toThrow(/CRON_SECRET: must be at least 8/);
  });
});
