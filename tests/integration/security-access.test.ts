/**
 * Access to every route under app/, found on disk: without credentials, with near-miss bearer tokens,
 * with forged or expired session cookies, every protected route says 401; the right credential gets in.
 * The public API shows nothing private, and no secret appears in any answer or log line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { safeEqual } from '@/lib/http';
import { createSessionToken, sessionKey, SESSION_COOKIE } from '@/lib/auth/session';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { callRoute, loadRoutes, readResponse, type Method, type Route, setRouteEnv } from '../helpers/route-catalog';
import { acceptsSession, bearerOf, guardOf, sessionCookieFor, type Secrets } from '../helpers/route-access';
import { captureOutput, type Capture } from '../helpers/output-capture';

const S: Secrets = {
  cronSecret: 'Cron-Secret-4f1Q9zK2',
  apiKey: 'Queue-Api-Key-7Hw3pX8r',
  password: 'Dash-Password-2mN6vB1t',
  sessionSecret: 'Session-Secret-9cR5yL0e',
};
const SECRETS = Object.values(S);
const USER_ID = '00000000-0000-4000-8000-0000000000aa';
const PARAMS: Record<string, string> = {
  id: USER_ID,
  job_id: USER_ID,
  name: 'default',
  app_id: 'access-app',
  username: 'alice',
  key: 'github',
};

let t: TestDb;
let routes: Route[];
let failures: { file: string; error: string }[];
let output: Capture;
const seen: string[] = []; // every status line, header and body answered, checked for secrets at the end

beforeAll(async () => {
  t = await createTestDb();
  setRouteEnv(t.url, S);
  output = captureOutput();
  ({ routes, failures } = await loadRoutes());
  await seedPublicUser();
});
afterAll(async () => {
  output?.restore();
  await t.close();
});

async function seedPublicUser() {
  await t.db.execute(sql`
    insert into users (id, username, display_name, github_private, youtube_private)
    values (${USER_ID}, 'alice', 'Alice', true, false)`);
  await t.db.execute(sql`
    insert into platform_connections (user_id, platform, handle) values
      (${USER_ID}, 'github', 'alice-private-handle'), (${USER_ID}, 'youtube', 'alice-public-handle')`);
  await t.db.execute(sql`
    insert into activities (user_id, date, platform, count, details) values
      (${USER_ID}, current_date, 'github', 7, '{"repo":"PRIVATE-REPO-MARKER"}'),
      (${USER_ID}, current_date, 'youtube', 3, '{"video":"video-detail"}')`);
  await t.db.execute(sql`
    insert into jobs (queue, type, payload, status, last_error, user_id, completed_at, attempts) values
      ('sync', 'sync.platform', '{"platform":"github","token":"PAYLOAD-MARKER"}', 'failed',
       'GitHub said 401 for ERROR-MARKER', ${USER_ID}, now(), 3)`);
}

async function call(route: Route, method: Method, headers: Record<string, string>) {
  const res = await callRoute(route, method, { params: PARAMS, headers });
  const r = await readResponse(res);
  seen.push(`${route.pattern} ${method} ${r.status} ${JSON.stringify([...res.headers])} ${r.text}`);
  return r;
}

const protectedCalls = () =>
  routes.flatMap((r) => {
    const guard = guardOf(r.pattern);
    if (!guard || guard === 'public') return [];
    return (Object.keys(r.handlers) as Method[]).map((method) => ({ route: r, method, guard }));
  });

describe('access', () => {
  it('every route module loads and every route has a known guard', () => {
    expect(failures).toEqual([]);
    expect(routes.filter((r) => !guardOf(r.pattern)).map((r) => r.pattern)).toEqual([]);
    expect(protectedCalls().length).toBeGreaterThan(10);
  });

  it('no credentials → 401 JSON on every protected route and method', async () => {
    for (const { route, method } of protectedCalls()) {
      const r = await call(route, method, {});
      expect(r.status, `${method} ${route.pattern}`).toBe(401);
      expect((r.json as { error?: string })?.error, `${method} ${route.pattern}`).toMatch(/\w{4,}/);
    }
  });

  it('near-miss bearer tokens → 401; the right one gets past the guard', async () => {
    let checked = 0;
    for (const { route, method, guard } of protectedCalls()) {
      const token = bearerOf(guard, S);
      if (!token) continue;
      const other = token === S.cronSecret ? S.apiKey : S.cronSecret;
      const swapCase = [...token].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
      const wrong = [
        `Basic ${token}`,
        `Token ${token}`,
        token,
        `Bearer`,
        `Bearer `,
        `Bearer x${token}`,
        `Bearer ${token}x`,
        `Bearer ${token.slice(0, -1)}`,
        `Bearer ${token.toUpperCase()}`,
        `Bearer ${token.toLowerCase()}`,
        `Bearer ${swapCase}`,
        `Bearer ${token} ${token}`,
        `Bearer ${other}`,
        `Bearer ${S.password}`,
        `Bearer ${S.sessionSecret}`,
        `Bearer undefined`,
        `Bearer null`,
      ];
      for (const authorization of wrong) {
        const r = await call(route, method, { authorization });
        expect(r.status, `${method} ${route.pattern} with "${authorization}"`).toBe(401);
      }
      // A session cookie does not rescue a wrong bearer: the header, once sent, decides.
      if (acceptsSession(guard)) {
        const r = await call(route, method, { authorization: `Bearer ${token}x`, cookie: sessionCookieFor(S) });
        expect(r.status, `${method} ${route.pattern} wrong bearer + session`).toBe(401);
      }
      const ok = await call(route, method, { authorization: `Bearer ${token}` });
      expect(
        [401, 403, 503],
        `${method} ${route.pattern} with the right token: ${ok.text.slice(0, 200)}`,
      ).not.toContain(ok.status);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('missing, forged and expired session cookies → 401 on session routes; a valid one gets in', async () => {
    const key = sessionKey({ sessionSecret: S.sessionSecret, password: S.password });
    const valid = createSessionToken(key);
    const [body, mac] = valid.split('.');
    const farFuture = Buffer.from(JSON.stringify({ exp: Date.now() + 365 * 86_400_000 })).toString('base64url');
    const forged = [
      createSessionToken(key, Date.now() - 13 * 3_600_000), // expired an hour ago
      createSessionToken('another-signing-key-0000'),
      createSessionToken(sessionKey({ password: S.password })), // right password, wrong secret
      `${farFuture}.${mac}`, // payload swapped, old signature
      `${farFuture}.${createHmac('sha256', 'guess').update(farFuture).digest('base64url')}`,
      `${body}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      `${body}.`,
      `.${mac}`,
      `${body}.${mac}.x`,
      'garbage',
      '',
      'a'.repeat(600),
      `${valid} `,
      valid.toUpperCase(),
    ];
    let checked = 0;
    for (const { route, method, guard } of protectedCalls()) {
      if (!acceptsSession(guard)) continue;
      for (const token of forged) {
        const r = await call(route, method, { cookie: `${SESSION_COOKIE}=${encodeURIComponent(token)}` });
        expect(r.status, `${method} ${route.pattern} with cookie "${token.slice(0, 40)}"`).toBe(401);
      }
      const elsewhere = await call(route, method, { cookie: `other_session=${encodeURIComponent(valid)}` });
      expect(elsewhere.status).toBe(401);
      const ok = await call(route, method, { cookie: `${SESSION_COOKIE}=${encodeURIComponent(valid)}` });
      expect(
        [401, 403, 503],
        `${method} ${route.pattern} with a valid session: ${ok.text.slice(0, 200)}`,
      ).not.toContain(ok.status);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('sign-in: a wrong password is refused; the right one sets a cookie that opens the dashboard API', async () => {
    const login = routes.find((r) => r.pattern === '/api/auth/login')!;
    const stats = routes.find((r) => r.pattern === '/api/dashboard/stats')!;
    const post = async (password: string) => {
      const res = await callRoute(login, 'POST', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ password }),
      });
      seen.push(`login ${res.status} ${JSON.stringify([...res.headers])}`);
      return res;
    };
    for (const p of [S.password.toUpperCase(), `${S.password} `, S.password.slice(1), S.cronSecret]) {
      const res = await post(p);
      expect(res.status).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      seen.push(await res.text());
    }
    const res = await post(S.password);
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    expect(cookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
    const r = await call(stats, 'GET', { cookie });
    expect(r.status).toBe(200);
  });

  it('the public activity API shows public platforms only, never payloads or errors', async () => {
    const route = routes.find((r) => r.pattern === '/api/public/[username]/activity')!;
    const r = await call(route, 'GET', {});
    expect(r.status).toBe(200);
    expect(r.text).toContain('youtube');
    for (const hidden of [
      'github',
      'PRIVATE-REPO-MARKER',
      'alice-private-handle',
      'PAYLOAD-MARKER',
      'ERROR-MARKER',
      USER_ID,
    ]) {
      expect(r.text).not.toContain(hidden);
    }
    for (const username of ['nobody', "alice' or '1'='1", '../alice', 'alice%00']) {
      const miss = await readResponse(await callRoute(route, 'GET', { params: { username } }));
      expect(miss.status, username).toBe(404);
      expect(miss.text).not.toContain('youtube');
    }
  });

  it('secrets are compared only in constant time', () => {
    // Static: no source line compares a secret with ===, !==, startsWith, includes or localeCompare.
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : [],
      );
    const name = String.raw`(?:CRON_SECRET|QUEUE_API_KEY|DASHBOARD_PASSWORD|SESSION_SECRET|secret|password|apiKey|token)`;
    const patterns = [
      String.raw`${name}[\w.()?!]*\s*(?:===?|!==?)\s*(?!undefined\b|null\b|''|"")[\w'"${'`'}]`, // secret === x
      String.raw`(?:===?|!==?)\s*[\w.()]*${name}\b(?!\s*\()`, // x === secret
      String.raw`(?:===?|!==?)\s*${'`'}[^${'`'}]*\$\{[\w.()]*${name}`, // x === `Bearer ${secret}`
      String.raw`${name}[\w.()]*\.(?:startsWith|endsWith|includes|indexOf|localeCompare)\(`, // secret.startsWith(x)
      String.raw`\.(?:startsWith|endsWith|includes|indexOf|localeCompare)\(\s*[\w.()]*${name}\b`, // x.startsWith(secret)
    ];
    const compare = new RegExp(patterns.join('|'));
    const root = path.resolve(import.meta.dirname, '../..');
    const offending = ['app', 'lib']
      .flatMap((d) => files(path.join(root, d)))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((line, i) =>
            compare.test(line) && !/^\s*(\/\/|\*)/.test(line)
              ? [`${path.relative(root, file)}:${i + 1}: ${line.trim()}`]
              : [],
          ),
      );
    expect(offending).toEqual([]);
    // The helper every check goes through hashes both sides, so lengths never decide the time taken.
    expect(safeEqual(S.cronSecret, S.cronSecret)).toBe(true);
    expect(safeEqual(S.cronSecret, S.cronSecret.slice(0, 3))).toBe(false);
    expect(safeEqual('', S.cronSecret.repeat(1000))).toBe(false);
  });

  it('no secret appears in any answer or in the log', () => {
    const answers = seen.join('\n');
    const log = output.text();
    expect(seen.length).toBeGreaterThan(100);
    for (const secret of SECRETS) {
      expect(answers.includes(secret), `a response contains ${secret}`).toBe(false);
      expect(log.includes(secret), `the log contains ${secret}`).toBe(false);
    }
  });
});
