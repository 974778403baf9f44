import 'server-only';
import { SESSION_COOKIE, SESSION_TTL_MS } from './session';

// Secure only over https: a Secure cookie set on plain http (a LAN address, `next start` behind
// nothing) would be dropped by the browser and sign-in would silently loop.
function isHttps(req: Request): boolean {
  const forwarded = req.headers.get('x-forwarded-proto')?.split(',')[0]?.trim();
  return (forwarded ?? new URL(req.url).protocol.replace(':', '')) === 'https';
}

export function sessionCookie(req: Request, token: string, ttlMs = SESSION_TTL_MS): string {
  const parts = [
    `${SESSION_COOKIE}=${encodeURIComponent(token)}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${Math.floor(ttlMs / 1000)}`,
  ];
  if (isHttps(req)) parts.push('Secure');
  return parts.join('; ');
}

export function clearedSessionCookie(req: Request): string {
  const parts = [`${SESSION_COOKIE}=`, 'Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=0'];
  if (isHttps(req)) parts.push('Secure');
  return parts.join('; ');
}

/**
 * A same-site path to return to after sign-in; anything else (other hosts, `//x`, `/\x`) becomes `/`.
 * Backslashes and control characters are refused anywhere: browsers drop tabs and newlines from a
 * Location, so `/\t/evil.example` would arrive as `//evil.example`.
 */
export function safeNextPath(value: unknown): string {
  if (typeof value !== 'string' || value.length > 500) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\p{Cc}]/u.test(value)) return '/';
  if (new URL(value, 'http://steady.invalid').origin !== 'http://steady.invalid') return '/';
  if (value.startsWith('/api/') || value.startsWith('/login')) return '/';
  return value;
}
