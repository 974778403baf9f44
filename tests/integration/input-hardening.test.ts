/**
 * Inputs that once got past validation: a misspelt bulk-action filter, booleans taken as numbers, bytes
 * that are not UTF-8, a cookie that is not percent-encoding, a request_id reused for another username,
 * and another site's page posting to the open development dashboard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import * as actionsRoute from '@/app/api/dashboard/jobs/actions/route';
import * as jobsListRoute from '@/app/api/dashboard/jobs/route';
import * as cleanupRoute from '@/app/api/cron/cleanup/route';
import * as processRoute from '@/app/api/cron/process-queue/route';
import * as statsRoute from '@/app/api/dashboard/stats/route';
import * as requestRoute from '@/app/api/profile/[username]/request/route';
import * as createJobRoute from '@/app/api/jobs/route';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { call, closeAppDb, useAppEnv } from '../helpers/route-call';
import { seedJobs, testTypes } from '../helpers/factories';
import { enqueueJobs, pingJobTypes, PING_TYPE } from '@/lib/queue';

const CRON = 'cron-secret-for-hardening';
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  // No DASHBOARD_PASSWORD outside production: the open development dashboard.
  useAppEnv(t, { CRON_SECRET: CRON });
  delete process.env.DASHBOARD_PASSWORD;
});
afterAll(async () => {
  await closeAppDb();
  await t.close();
});

const countWhere = async (where: ReturnType<typeof sql>) =>
  Number((await t.db.execute(sql`select count(*)::int as n from jobs where ${where}`))[0].n);

describe('the dashboard bulk actions', () => {
  it('refuse a misspelt filter key instead of acting on every unfinished job', async () => {
    await seedJobs(t.db, testTypes(), 3);
    const r = await call(actionsRoute.POST, 'POST', '/api/dashboard/jobs/actions', {
      key: null,
      body: { action: 'cancel', filter: { staus: 'failed' } },
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/staus/);
    const extra = await call(actionsRoute.POST, 'POST', '/api/dashboard/jobs/actions', {
      key: null,
      body: { action: 'cancel', filter: {}, dryRun: true },
    });
    expect(extra.status).toBe(400);
    expect(extra.body.error).toMatch(/dryRun/);
    expect(await countWhere(sql`status = 'cancelled'`)).toBe(0);
    const list = await call(jobsListRoute.GET, 'GET', '/api/dashboard/jobs?stauts=failed', { key: null });
    expect(list.status).toBe(400);
  });

  it('refuse a write posted from another site, and take the same write from the dashboard itself', async () => {
    const body = { action: 'cancel', filter: { queue: 'test' } };
    const crossSite = await call(actionsRoute.POST, 'POST', '/api/dashboard/jobs/actions', {
      key: null,
      body,
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    const foreignOrigin = await call(actionsRoute.POST, 'POST', '/api/dashboard/jobs/actions', {
      key: null,
      body,
      headers: { origin: 'https://evil.example', host: 'localhost' },
    });
    expect(foreignOrigin.status).toBe(403);
    expect(await countWhere(sql`status = 'cancelled'`)).toBe(0);
    // Reads stay open: another site cannot read the answer anyway.
    const read = await call(statsRoute.GET, 'GET', '/api/dashboard/stats', {
      key: null,
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(read.status).toBe(200);
    const sameOrigin = await call(actionsRoute.POST, 'POST', '/api/dashboard/jobs/actions', {
      key: null,
      body,
      headers: { 'sec-fetch-site': 'same-origin', origin: 'http://localhost', host: 'localhost' },
    });
    expect(sameOrigin.status).toBe(200);
    expect(await countWhere(sql`status = 'cancelled'`)).toBe(3);
  });
});

describe('numbers', () => {
  it('are numbers or digit strings, never booleans or arrays', async () => {
    await enqueueJobs(t.db, pingJobTypes, [
      { type: PING_TYPE, payload: { n: 1 } },
      { type: PING_TYPE, payload: { n: 2 } },
    ]);
    for (const body of [{ olderThanDays: true }, { olderThanDays: [30] }, { olderThanDays: '7.5' }]) {
      const r = await call(cleanupRoute.POST, 'POST', '/api/cron/cleanup', { key: CRON, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toMatch(/olderThanDays must be a whole number/);
    }
    const bad = await call(processRoute.POST, 'POST', '/api/cron/process-queue', { key: CRON, body: { limit: true } });
    expect(bad.status).toBe(400);
    expect(await countWhere(sql`status = 'pending' and type = ${PING_TYPE}`)).toBe(2);
    // Digits in a query string and a JSON number both count.
    const fromQuery = await call(processRoute.GET, 'GET', '/api/cron/process-queue?limit=1', { key: CRON });
    expect(fromQuery.status).toBe(200);
    expect(fromQuery.body.claimed).toBe(1);
    const fromBody = await call(processRoute.POST, 'POST', '/api/cron/process-queue', {
      key: CRON,
      body: { limit: 1 },
    });
    expect(fromBody.body.claimed).toBe(1);
  });
});

describe('headers and bodies', () => {
  it('takes the bearer scheme in any case', async () => {
    const r = await call(processRoute.GET, 'GET', '/api/cron/process-queue', {
      key: null,
      headers: { authorization: `bearer ${CRON}` },
    });
    expect(r.status).toBe(200);
  });

  it('refuses a body that is not UTF-8 instead of storing replacement characters', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"type":"test.noop","payload":{"name":"caf'),
      Buffer.from([0xe9]),
      Buffer.from('"}}'),
    ]);
    const res = await createJobRoute.POST(
      new Request('http://localhost/api/jobs', {
        method: 'POST',
        headers: { authorization: 'Bearer test-queue-api-key', 'content-type': 'application/json' },
        body: bytes,
      }),
    );
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('Request body is not valid UTF-8');
    expect(await countWhere(sql`payload->>'name' like 'caf%'`)).toBe(0);
  });

  it('treats a cookie that is not percent-encoding as no session: 401, not 500', async () => {
    process.env.DASHBOARD_PASSWORD = 'a-dashboard-password';
    try {
      // env() is read once per process: a fresh module graph sees the password.
      const { vi } = await import('vitest');
      vi.resetModules();
      const fresh = await import('@/app/api/dashboard/stats/route');
      const r = await call(fresh.GET, 'GET', '/api/dashboard/stats', {
        key: null,
        headers: { cookie: 'steady_session=%E0%A4' },
      });
      expect(r.status).toBe(401);
    } finally {
      delete process.env.DASHBOARD_PASSWORD;
    }
  });
});

describe('profile requests', () => {
  it('answer 409 when a request_id comes back for another username, and queue nothing for it', async () => {
    const first = await call(requestRoute.POST, 'POST', '/api/profile/alice/request', {
      body: { request_id: 'req-shared' },
      params: { username: 'alice' },
    });
    expect(first.status).toBe(202);
    const again = await call(requestRoute.POST, 'POST', '/api/profile/Alice/request', {
      body: { request_id: 'req-shared' },
      params: { username: 'Alice' },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ job_id: first.body.job_id, duplicate: true });
    const other = await call(requestRoute.POST, 'POST', '/api/profile/bob/request', {
      body: { request_id: 'req-shared' },
      params: { username: 'bob' },
    });
    expect(other.status).toBe(409);
    expect(other.body.error).toMatch(/req-shared was already used for another username/);
    expect(await countWhere(sql`entity_id = 'bob'`)).toBe(0);
  });
});
