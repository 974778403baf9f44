import { describe, expect, it } from 'vitest';
import { createSessionToken, sessionKey, verifySessionToken } from '@/lib/auth/session';

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
