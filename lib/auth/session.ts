import 'server-only';
import { createHmac, scryptSync } from 'node:crypto';
import { safeEqual } from '@/lib/http';

export const SESSION_COOKIE = 'steady_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

interface SessionPayload {
  /** Expiry, ms since epoch. */
  exp: number;
}

// scrypt, not a plain hash: anyone holding one session cookie could otherwise test password guesses
// against its signature offline at hash speed. About 50 ms, once per process and password.
export const SESSION_KDF = { salt: 'steady-session', bytes: 32, cost: { N: 2 ** 14, r: 8, p: 1 } } as const;
let derived: { password: string; key: string } | undefined;

/** The signing key: SESSION_SECRET, or one derived from the password so changing it signs everyone out. */
export function sessionKey(opts: { sessionSecret?: string; password: string }): string {
  if (opts.sessionSecret) return opts.sessionSecret;
  if (!derived || !safeEqual(derived.password, opts.password)) {
    const key = scryptSync(opts.password, SESSION_KDF.salt, SESSION_KDF.bytes, SESSION_KDF.cost).toString('base64url');
    derived = { password: opts.password, key };
  }
  return derived.key;
}

const sign = (key: string, body: string) => createHmac('sha256', key).update(body).digest('base64url');

export function createSessionToken(key: string, now = Date.now(), ttlMs = SESSION_TTL_MS): string {
  const body = Buffer.from(JSON.stringify({ exp: now + ttlMs } satisfies SessionPayload)).toString('base64url');
  return `${body}.${sign(key, body)}`;
}

/** True for a token this key signed that has not expired. Never throws on garbage. */
export function verifySessionToken(key: string, token: string | undefined | null, now = Date.now()): boolean {
  if (!token || token.length > 512) return false;
  const [body, mac, extra] = token.split('.');
  if (!body || !mac || extra !== undefined) return false;
  if (!safeEqual(mac, sign(key, body))) return false;
  try {
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as Partial<SessionPayload>;
    return typeof payload.exp === 'number' && payload.exp > now;
  } catch {
    return false;
  }
}

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      // A value that is not valid percent-encoding is no session, not a server error.
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
