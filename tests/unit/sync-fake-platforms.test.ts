import { describe, expect, it } from 'vitest';
import { fakeDayCount, itemsFor, parseFaultsEnv } from '@/scripts/fake-platforms';
import { summarize } from '@/scripts/local-cron';
import { demoUsers } from '@/scripts/seed';

describe('fake platform data', () => {
  it('is the same for the same account and day, different across days and accounts', () => {
    expect(itemsFor('github', 'octocat', '2026-02-03')).toEqual(itemsFor('github', 'OctoCat', '2026-02-03'));
    const days = Array.from({ length: 30 }, (_, i) => `2026-02-${String(i + 1).padStart(2, '0')}`).filter(
      (d) => d <= '2026-02-28',
    );
    const counts = days.map((d) => fakeDayCount('github', 'octocat', d));
    expect(new Set(counts).size).toBeGreaterThan(3);
    expect(counts.some((c) => c === 0)).toBe(true);
  });
  it('keeps every item inside its UTC day', () => {
    for (const item of itemsFor('twitter', 'jack', '2026-02-03')) {
      expect(item.at.toISOString().slice(0, 10)).toBe('2026-02-03');
    }
  });
  it('counts YouTube uploads only, not likes', () => {
    for (let d = 1; d <= 28; d++) {
      const date = `2026-02-${String(d).padStart(2, '0')}`;
      expect(fakeDayCount('youtube', 'UCx', date)).toBe(
        itemsFor('youtube', 'UCx', date).filter((i) => i.kind === 'upload').length,
      );
    }
  });
});

describe('FAKE_PLATFORMS_FAULTS', () => {
  it('parses a JSON fault list with defaults', () => {
    expect(parseFaultsEnv('[{"platform":"github","mode":"rate_limit","times":2}]')).toEqual([
      { platform: 'github', mode: 'rate_limit', times: 2, retryAfterSec: 30, delayMs: 2000 },
    ]);
    expect(parseFaultsEnv(undefined)).toEqual([]);
  });
  it('says what is wrong', () => {
    expect(() => parseFaultsEnv('github:429')).toThrow(/must be a JSON array/);
    expect(() => parseFaultsEnv('[{"mode":"explode"}]')).toThrow(/FAKE_PLATFORMS_FAULTS is invalid/);
  });
});

describe('local cron log line', () => {
  it('keeps scalars and non-zero counts', () => {
    expect(summarize({ workerId: 'w', claimed: 3, counts: { completed: 2, failed: 1, retrying: 0 }, jobs: [{}] })).toBe(
      'claimed=3 counts={completed:2 failed:1}',
    );
    expect(summarize({ dates: ['2026-01-01'], created: 5, existing: 0 })).toBe('dates=2026-01-01 created=5 existing=0');
    expect(summarize({ error: 'Missing or invalid bearer token' })).toBe('error=Missing or invalid bearer token');
  });
});

describe('demo users', () => {
  it('have valid usernames, mixed privacy and connections, and one account that is gone', () => {
    const users = demoUsers();
    expect(users).toHaveLength(36);
    expect(new Set(users.map((u) => u.username)).size).toBe(36);
    for (const u of users) expect(u.username).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,38}$/);
    expect(users.some((u) => u.privacy.twitter)).toBe(true);
    expect(users.some((u) => Object.values(u.privacy).every((p) => !p))).toBe(true);
    for (const p of ['github', 'youtube', 'twitter', 'instagram'])
      expect(users.some((u) => u.connections.some((c) => c.platform === p))).toBe(true);
    expect(users.flatMap((u) => u.connections).filter((c) => c.handle.startsWith('gone'))).toHaveLength(1);
  });
});
