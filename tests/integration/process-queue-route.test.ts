/**
 * /api/cron/process-queue as Vercel Cron and people call it: a bare GET works the backlog to its end,
 * bad input and a wrong bearer are refused before anything is claimed or started, a call over
 * PROCESS_QUEUE_MAX_PARALLEL runs nothing, and a fan-out call goes to the configured address only.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import * as route from '@/app/api/cron/process-queue/route';
import { enqueueJobs, enterDrainCall, pingJobTypes, PING_TYPE } from '@/lib/queue';
import { parseEnv } from '@/lib/env';
import { processQueueFanOut } from '@/lib/fan-out';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { closeAppDb, request } from './sync-harness';

const SECRET = 'process-queue-route-secret';
let t: TestDb;
let app: Server;
let appUrl: string;
const seen: { url: string; auth: string | undefined; body: string }[] = [];

/** Stands in for the app's own address: records every call it gets and answers 202. */
function listen(
  handler: (req: IncomingMessage, body: string) => [number, Record<string, string>?],
): Promise<[Server, string]> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const [status, headers] = handler(req, body);
      res.writeHead(status, headers).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve([server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`]),
    ),
  );
}

beforeAll(async () => {
  t = await createTestDb();
  [app, appUrl] = await listen((req, body) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization, body });
    return [202];
  });
  Object.assign(process.env, {
    DATABASE_URL: t.url,
    CRON_SECRET: SECRET,
    APP_URL: appUrl,
    PROCESS_QUEUE_MAX_PARALLEL: '2',
  });
});
afterAll(async () => {
  delete process.env.APP_URL;
  delete process.env.PROCESS_QUEUE_MAX_PARALLEL;
  await closeAppDb();
  await t.close();
  await new Promise((r) => app.close(r));
});
beforeEach(async () => {
  seen.length = 0;
  await t.db.execute(sql`delete from jobs; delete from job_events; delete from drain_calls`);
});

const pings = (n: number) =>
  enqueueJobs(
    t.db,
    pingJobTypes,
    Array.from({ length: n }, (_, i) => ({ type: PING_TYPE, payload: { n: i } })),
  );
const statuses = async () =>
  Object.fromEntries(
    (await t.db.execute(sql`select status, count(*)::int as n from jobs group by status`)).map((r) => [r.status, r.n]),
  );
const body = async (res: Response) => res.json() as Promise<Record<string, any>>;

describe('process-queue', () => {
  it('one GET tick as Vercel sends it (no query, no body) works 2,000 due jobs, not 5', async () => {
    await pings(2_000);
    const res = await route.GET(request('GET', '/api/cron/process-queue', { token: SECRET }));
    expect(res.status).toBe(200);
    const b = await body(res);
    expect(b).toMatchObject({
      claimed: 2_000,
      stoppedBy: 'empty',
      counts: { completed: 2_000 },
      byType: { [PING_TYPE]: { completed: 2_000 } },
    });
    expect(b.jobs).toHaveLength(100);
    expect(b.jobsNotListed).toBe(1_900);
    expect(await statuses()).toEqual({ completed: 2_000 });
    expect(seen).toEqual([]); // the backlog ended inside the call: nobody else was started
  });

  it.each([
    ['limit', { limit: 0 }],
    ['limit', { limit: -3 }],
    ['limit', { limit: 'ten' }],
    ['limit', { limit: 2.5 }],
    ['limit', { limit: 1_000_001 }],
    ['limit', { limit: true }],
    ['timeBudgetMs', { timeBudgetMs: 999 }],
    ['background', { background: 'maybe' }],
    ['(root)', { lmit: 5 }],
  ])('refuses bad %s with a 400 naming it, claiming and starting nothing', async (field, input) => {
    await pings(3);
    const res = await route.POST(request('POST', '/api/cron/process-queue', { token: SECRET, body: input }));
    expect(res.status).toBe(400);
    const b = await body(res);
    expect(b.error).toContain(field === '(root)' ? 'lmit' : field);
    expect(await statuses()).toEqual({ pending: 3 });
    expect(seen).toEqual([]);
    const [calls] = await t.db.execute(sql`select count(*)::int as n from drain_calls`);
    expect(calls.n).toBe(0);
  });

  it('refuses a missing or wrong bearer, and a background call without one, claiming and starting nothing', async () => {
    await pings(3);
    for (const token of [undefined, 'wrong-secret-123']) {
      for (const method of ['GET', 'POST'] as const) {
        const res = await route[method](
          request(method, '/api/cron/process-queue?background=1', {
            token,
            body: method === 'POST' ? { background: true } : undefined,
          }),
        );
        expect(res.status).toBe(401);
      }
    }
    expect(await statuses()).toEqual({ pending: 3 });
    expect(seen).toEqual([]);
  });

  it('with PROCESS_QUEUE_MAX_PARALLEL calls at work, another runs nothing and starts nothing', async () => {
    await pings(10);
    const now = new Date();
    for (const id of ['a', 'b']) await enterDrainCall(t.db, { callId: id, maxParallel: 2, holdMs: 60_000, now });
    const res = await route.GET(request('GET', '/api/cron/process-queue', { token: SECRET }));
    expect(res.status).toBe(200);
    expect(await body(res)).toMatchObject({ stoppedBy: 'parallel_cap', claimed: 0, running: 2, maxParallel: 2 });
    expect(await statuses()).toEqual({ pending: 10 });
    expect(seen).toEqual([]);
  });

  it('a limit is a cap the call stops at', async () => {
    await pings(30);
    const res = await route.GET(request('GET', '/api/cron/process-queue?limit=12', { token: SECRET }));
    expect(await body(res)).toMatchObject({ claimed: 12, stoppedBy: 'cap', counts: { completed: 12 } });
    expect(await statuses()).toEqual({ completed: 12, pending: 18 });
  });
});

describe('a fan-out call', () => {
  const env = (extra: Record<string, string>) => parseEnv({ DATABASE_URL: t.url, CRON_SECRET: SECRET, ...extra });

  it('goes to APP_URL with the bearer, asking to work in the background', async () => {
    const start = processQueueFanOut(env({ APP_URL: appUrl }))!;
    expect(await start()).toBe(true);
    expect(seen).toEqual([{ url: '/api/cron/process-queue', auth: `Bearer ${SECRET}`, body: '{"background":true}' }]);
  });

  it('does not follow a redirect elsewhere: the bearer stays with the app', async () => {
    const [other, otherUrl] = await listen((req) => {
      seen.push({ url: `other:${req.url}`, auth: req.headers.authorization, body: '' });
      return [202];
    });
    const [redirecting, redirectingUrl] = await listen(() => [307, { location: `${otherUrl}/api/cron/process-queue` }]);
    try {
      expect(await processQueueFanOut(env({ APP_URL: redirectingUrl }))!()).toBe(false);
      expect(seen).toEqual([]);
    } finally {
      await new Promise((r) => other.close(r));
      await new Promise((r) => redirecting.close(r));
    }
  });

  it('is off without an address of its own or without a cron secret', () => {
    expect(processQueueFanOut(env({}))).toBeUndefined();
    expect(processQueueFanOut(parseEnv({ DATABASE_URL: t.url, APP_URL: appUrl }))).toBeUndefined();
    expect(processQueueFanOut(env({ VERCEL_URL: 'steady-abc123.vercel.app' }))).toBeDefined();
  });
});
