/**
 * Refusals outside any handler's own logic are JSON too: a method a route does not serve answers 405
 * `{ error, allowed }` with `Allow`, and a path no route serves under /api or /queue answers 404
 * `{ error }` from the catch-alls, which Next's matcher tries only after every real route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSortedRoutes } from 'next/dist/shared/lib/router/utils/sorted-routes';
import { NextRequest } from 'next/server';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { METHODS, loadRoutes, readResponse, urlFor, type Route, setRouteEnv } from '../helpers/route-catalog';

let t: TestDb;
let routes: Route[];
let failures: { file: string; error: string }[];

beforeAll(async () => {
  t = await createTestDb({ max: 2 });
  setRouteEnv(t.url, {
    cronSecret: 'refusal-cron',
    apiKey: 'refusal-key',
    password: 'refusal-pass',
    sessionSecret: 'refusal-session',
  });
  ({ routes, failures } = await loadRoutes());
});
afterAll(async () => {
  await t.close();
});

const isCatchAll = (r: Route) => r.pattern.endsWith('/[...path]');
const apiRoutes = () => routes.filter((r) => /^\/(api|queue)(\/|$)/.test(r.pattern));

async function send(handler: unknown, method: string, url: string) {
  const res = await (handler as (req: Request, ctx: unknown) => Promise<Response>)(new NextRequest(url, { method }), {
    params: Promise.resolve({}),
  });
  return { res, ...(await readResponse(res)) };
}

describe('refusals from an API path', () => {
  it('every API route module fills every method: its handlers or a refusal', () => {
    expect(failures).toEqual([]);
    expect(apiRoutes().length).toBeGreaterThan(30);
    const gaps = apiRoutes().flatMap((r) =>
      METHODS.filter((m) => !r.handlers[m] && !r.refusals[m]).map((m) => `${m} ${r.pattern}`),
    );
    expect(gaps).toEqual([]);
  });

  it('a method a route does not serve answers 405 JSON naming it, with Allow listing what it serves', async () => {
    let checked = 0;
    for (const route of apiRoutes().filter((r) => !isCatchAll(r))) {
      const served = METHODS.filter((m) => route.handlers[m]);
      const allow = [...served, ...(served.includes('GET') ? ['HEAD'] : []), 'OPTIONS'];
      for (const method of METHODS.filter((m) => route.refusals[m])) {
        const url = urlFor(route, {
          id: 'abc',
          job_id: 'abc',
          name: 'q',
          app_id: 'app',
          username: 'bob',
          key: 'github',
        });
        const r = await send(route.refusals[method], method, url);
        const what = `${method} ${route.pattern}`;
        expect(r.status, what).toBe(405);
        expect(r.type, what).toMatch(/application\/json/);
        expect(r.json, what).toEqual({
          error: `Method ${method} is not allowed on ${new URL(url).pathname}`,
          allowed: allow,
        });
        expect(r.res.headers.get('allow'), what).toBe(allow.join(', '));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('OPTIONS lists only what the route serves', async () => {
    const mod = await import('@/app/api/jobs/[id]/route');
    const r = await send(mod.OPTIONS, 'OPTIONS', 'http://localhost/api/jobs/abc');
    expect(r.status).toBe(204);
    expect(r.res.headers.get('allow')).toBe('GET, PATCH, HEAD, OPTIONS');
  });

  it('an unknown path under /api or /queue answers 404 JSON naming the method and path', async () => {
    const api = routes.find((r) => r.pattern === '/api/[...path]')!;
    const queue = routes.find((r) => r.pattern === '/queue/[...path]')!;
    expect(api.handlers).toEqual({});
    expect(queue.handlers).toEqual({});
    for (const [route, path] of [
      [api, '/api/nope'],
      [api, '/api/jobs/abc/extra'],
      [queue, '/queue/abc'],
      [queue, '/queue/status/a/b'],
    ] as const) {
      for (const method of METHODS) {
        const r = await send(route.refusals[method], method, `http://localhost${path}?x=1`);
        expect(r.status, `${method} ${path}`).toBe(404);
        expect(r.type).toMatch(/application\/json/);
        expect(r.json).toEqual({ error: `No route for ${method} ${path}` });
      }
    }
  });

  it('the catch-alls sort after every real route under their prefix, so they shadow none', () => {
    const patterns = routes.map((r) => r.pattern);
    const sorted = getSortedRoutes(patterns);
    for (const prefix of ['/api', '/queue']) {
      const under = sorted.filter((p) => p.startsWith(`${prefix}/`));
      expect(under.at(-1)).toBe(`${prefix}/[...path]`);
    }
    // /queue/{job_id}/history and …/update are dynamic too: a single segment still outranks the catch-all.
    expect(sorted.indexOf('/queue/[job_id]/history')).toBeLessThan(sorted.indexOf('/queue/[...path]'));
  });
});
