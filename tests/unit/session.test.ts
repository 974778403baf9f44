import { createHash, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSessionToken, SESSION_KDF, sessionKey, verifySessionToken } from '@/lib/auth/session';

const key = sessionKey({ password: 'hunter22' });

describe('session token', () => {
  it('verifies its own token until it expires', () => {
    const t = createSessionToken(key, 1_000, 60_000);
    expect(verifySessionToken(key, t, 2_000)).toBe(true);
    expect(verifySessionToken(key, t, 61_001)).toBe(false);
  });

  it('rejects forged, altered and garbage tokens', () => {
    const t = createSessionToken(key, Date.now());
    const [body, mac] = t.split('.');
    const longer = Buffer.from(JSON.stringify({ exp: Date.now() + 1e12 })).toString('base64url');
    expect(verifySessionToken(key, `${longer}.${mac}`)).toBe(false);
    expect(verifySessionToken(sessionKey({ password: 'other' }), t)).toBe(false);
    expect(verifySessionToken(key, `${body}.${mac}.x`)).toBe(false);
    expect(verifySessionToken(key, 'garbage')).toBe(false);
    expect(verifySessionToken(key, '')).toBe(false);
    expect(verifySessionToken(key, undefined)).toBe(false);
  });
});

describe('the key derived from the password', () => {
  it('is scrypt of the password, so a cookie does not let guesses be tested at hash speed', () => {
    const expected = scryptSync('hunter22', 'steady-session', 32, { N: 16384, r: 8, p: 1 }).toString('base64url');
    expect(key).toBe(expected);
    expect(key).not.toBe(createHash('sha256').update('steady-session:hunter22').digest('base64url'));
    expect(SESSION_KDF.cost.N).toBeGreaterThanOrEqual(2 ** 14);
  });

  it('changes with the password and is the same on every call for one password', () => {
    const other = sessionKey({ password: 'hunter23' });
    expect(other).not.toBe(key);
    expect(sessionKey({ password: 'hunter22' })).toBe(key);
    expect(sessionKey({ password: 'hunter22', sessionSecret: 'a-session-secret' })).toBe('a-session-secret');
  });
});
