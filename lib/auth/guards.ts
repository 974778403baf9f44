import 'server-only';
import { env } from '@/lib/env';
import { errorJson, requireBearer, safeEqual } from '@/lib/http';
import { SESSION_COOKIE, readCookie, sessionKey, verifySessionToken } from './session';

export type DashboardAccess = 'signed-in' | 'open-dev' | 'closed-prod' | 'signed-out';

/**
 * Who may use the dashboard: with DASHBOARD_PASSWORD set, holders of a valid session cookie; without
 * it, everyone in development (the UI shows a banner) and no one in production.
 */
export function dashboardAccess(cookieValue: string | undefined): DashboardAccess {
  const e = env();
  if (!e.DASHBOARD_PASSWORD) return e.NODE_ENV === 'production' ? 'closed-prod' : 'open-dev';
  const key = sessionKey({ sessionSecret: e.SESSION_SECRET, password: e.DASHBOARD_PASSWORD });
  return verifySessionToken(key, cookieValue) ? 'signed-in' : 'signed-out';
}

/** For dashboard API routes: null when allowed, else a 401/503 JSON response. */
export function requireOperator(req: Request): Response | null {
  const access = dashboardAccess(readCookie(req, SESSION_COOKIE));
  if (access === 'signed-in' || access === 'open-dev') return refuseCrossSiteWrite(req);
  if (access === 'closed-prod') {
    return errorJson(503, 'The dashboard is closed: set DASHBOARD_PASSWORD on the server to open it');
  }
  return errorJson(401, 'Sign in to the dashboard first');
}

/**
 * For API-key routes that a signed-in operator may also call from the browser: a bearer QUEUE_API_KEY,
 * or a signed-in session. The open development dashboard does not count: these routes stay keyed.
 */
export function requireApiKeyOrOperator(req: Request): Response | null {
  if (!req.headers.get('authorization') && dashboardAccess(readCookie(req, SESSION_COOKIE)) === 'signed-in') {
    return refuseCrossSiteWrite(req);
  }
  return requireBearer(req, env().QUEUE_API_KEY, 'QUEUE_API_KEY');
}

export function passwordMatches(candidate: string): boolean {
  const password = env().DASHBOARD_PASSWORD;
  return password !== undefined && safeEqual(candidate, password);
}

/**
 * Access that a browser grants by itself (the session cookie, or the open development dashboard) must
 * not be usable by another site's page: a cross-site form or no-cors fetch can POST here. Such writes
 * are refused, by the browser's Sec-Fetch-Site or, where it sends none, by an Origin naming another
 * host. Reads stay open: a cross-site page cannot read the answer.
 */
function refuseCrossSiteWrite(req: Request): Response | null {
  if (req.method === 'GET' || req.method === 'HEAD') return null;
  const site = req.headers.get('sec-fetch-site');
  if (site === 'cross-site' || (site === null && originIsElsewhere(req))) {
    return errorJson(403, 'Cross-site requests may not change anything here');
  }
  return null;
}

function originIsElsewhere(req: Request): boolean {
  const origin = req.headers.get('origin');
  if (!origin) return false;
  const host = req.headers.get('x-forwarded-host')?.split(',')[0]?.trim() || req.headers.get('host');
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}
