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

  it('refuses a secret with whitespace, which no bearer header could carry', () => {
    expect(() => parseEnv({ ...base, CRON_SECRET: 'abcdefgh ' })).toThrow(/CRON_SECRET: must not contain spaces/);
    expect(() => parseEnv({ ...base, QUEUE_API_KEY: 'two words here' })).toThrow(
      /QUEUE_API_KEY: must not contain spaces/,
    );
    // A password is typed into a form, not sent as a bearer: a passphrase is fine.
    expect(parseEnv({ ...base, DASHBOARD_PASSWORD: 'correct horse battery' }).DASHBOARD_PASSWORD).toBe(
      'correct horse battery',
    );
  });
});
