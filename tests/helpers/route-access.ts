/**
 * Who may call which route, by URL prefix. A route that matches no rule fails the access suite, so a
 * new route has to be placed here (and so thought about) before the suite passes.
 */
import { createSessionToken, sessionKey, SESSION_COOKIE } from '@/lib/auth/session';

export type Guard =
  | 'public'
  /** Authorization: Bearer CRON_SECRET */
  | 'cron'
  /** Bearer CRON_SECRET, or a dashboard session when no Authorization header is sent. */
  | 'cron-or-operator'
  /** Authorization: Bearer QUEUE_API_KEY */
  | 'api-key'
  /** Bearer QUEUE_API_KEY, or a dashboard session when no Authorization header is sent. */
  | 'api-key-or-operator'
  /** A dashboard session cookie. */
  | 'operator';

const RULES: [RegExp, Guard][] = [
  // The catch-alls under /api and /queue only answer "no route" (404 JSON), which tells nothing to anyone.
  [/^\/(api|queue)\/\[\.\.\.path\]$/, 'public'],
  // Anyone learns ok or not ok; the details need METRICS_TOKEN or CRON_SECRET (tests/integration/metrics.test.ts).
  [/^\/api\/health$/, 'public'],
  // Bearer METRICS_TOKEN or CRON_SECRET; the suites set only CRON_SECRET.
  [/^\/api\/metrics$/, 'cron'],
  [/^\/api\/public\//, 'public'],
  [/^\/api\/auth\/(login|logout)$/, 'public'],
  // The profile reference: the status of a request is public, and shows only its status fields.
  [/^\/api\/profile\/\[username\]\/status$/, 'public'],
  [/^\/api\/cron\//, 'cron'],
  [/^\/api\/users\/\[id\]\/sync$/, 'cron-or-operator'],
  [/^\/api\/dashboard\//, 'operator'],
  [/^\/api\/jobs(\/|$)/, 'api-key-or-operator'],
  [/^\/api\/limits(\/|$)/, 'api-key-or-operator'],
  [/^\/api\/queue\//, 'api-key-or-operator'],
  [/^\/api\/profile(\/|$)/, 'api-key-or-operator'],
  [/^\/queue\//, 'api-key'],
];

export function guardOf(pattern: string): Guard | undefined {
  return RULES.find(([re]) => re.test(pattern))?.[1];
}

export interface Secrets {
  cronSecret: string;
  apiKey: string;
  password: string;
  sessionSecret: string;
}

export function sessionCookieFor(s: Secrets, opts: { now?: number; ttlMs?: number } = {}): string {
  const token = createSessionToken(
    sessionKey({ sessionSecret: s.sessionSecret, password: s.password }),
    opts.now,
    opts.ttlMs,
  );
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}`;
}

/** Headers that pass the guard: the route's bearer when it has one, else a session cookie. */
export function credentialsFor(guard: Guard, s: Secrets): Record<string, string> {
  switch (guard) {
    case 'public':
      return {};
    case 'cron':
    case 'cron-or-operator':
      return { authorization: `Bearer ${s.cronSecret}` };
    case 'api-key':
    case 'api-key-or-operator':
      return { authorization: `Bearer ${s.apiKey}` };
    case 'operator':
      return { cookie: sessionCookieFor(s) };
  }
}

/** The bearer token a guard takes, if any. */
export function bearerOf(guard: Guard, s: Secrets): string | undefined {
  if (guard === 'cron' || guard === 'cron-or-operator') return s.cronSecret;
  if (guard === 'api-key' || guard === 'api-key-or-operator') return s.apiKey;
  return undefined;
}

export const acceptsSession = (g: Guard) => g === 'operator' || g === 'cron-or-operator' || g === 'api-key-or-operator';
