/**
 * A production server started without its secrets: every protected route refuses with 503 and names
 * the setting to fix, whatever credentials are offered. Nothing falls open. (A file of its own: env()
 * is read once per module context.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionToken, sessionKey, SESSION_COOKIE } from '@/lib/auth/session';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { callRoute, loadRoutes, readResponse, type Method, type Route } from '../helpers/route-catalog';
import { guardOf } from '../helpers/route-access';

let t: TestDb;
let routes: Route[];
let failures: { file: string; error: string }[];
const PARAMS: Record<string, string> = {
  id: '00000000-0000-4000-8000-000000000001',
  job_id: '00000000-0000-4000-8000-000000000001',
  name: 'default',
  app_id: 'unset-app',
  username: 'someone',
};

beforeAll(async () => {
  t = await createTestDb({ max: 2 });
  Object.assign(process.env, { DATABASE_URL: t.url, NODE_ENV: 'production' });
  for (const name of ['CRON_SECRET', 'QUEUE_API_KEY', 'DASHBOARD_PASSWORD', 'SESSION_SECRET']) delete process.env[name];
  ({ routes, failures } = await loadRoutes());
});
afterAll(async () => {
  await t.close();
});

describe('secrets unset in production', () => {
  it('every protected route answers 503 naming the missing setting, whatever is offered', async () => {
    expect(failures).toEqual([]);
    // Tokens a careless comparison might accept against an unset secret, and a cookie signed with
    // what an unset password might fall back to.
    const guesses: Record<string, string>[] = [
      {},
      { authorization: 'Bearer ' },
      { authorization: 'Bearer undefined' },
      { authorization: 'Bearer null' },
      { authorization: 'Bearer ""' },
      { cookie: `${SESSION_COOKIE}=${createSessionToken(sessionKey({ password: '' }))}` },
      { cookie: `${SESSION_COOKIE}=${createSessionToken(sessionKey({ password: 'undefined' }))}` },
    ];
    let checked = 0;
    for (const route of routes) {
      const guard = guardOf(route.pattern);
      expect(guard, route.pattern).toBeDefined();
      if (guard === 'public') continue;
      for (const method of Object.keys(route.handlers) as Method[]) {
        for (const headers of guesses) {
          const r = await readResponse(await callRoute(route, method, { params: PARAMS, headers }));
          const what = `${method} ${route.pattern} ${JSON.stringify(headers)}`;
          expect(r.status, `${what}: ${r.text.slice(0, 200)}`).toBe(503);
          expect((r.json as { error?: string })?.error, what).toMatch(/CRON_SECRET|QUEUE_API_KEY|DASHBOARD_PASSWORD/);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('sign-in is closed too', async () => {
    const login = routes.find((r) => r.pattern === '/api/auth/login')!;
    const r = await readResponse(
      await callRoute(login, 'POST', {
        headers: { 'content-type': 'application/json' },
        body: '{"password":"undefined"}',
      }),
    );
    expect(r.status).toBe(503);
    expect(r.text).not.toContain('set-cookie');
  });
});
