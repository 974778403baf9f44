import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { activities, jobs, platformConnections, users } from '@/drizzle/schema';
import { claimJobs, parseTs, releaseJobs, runBatch } from '@/lib/queue';
import { env } from '@/lib/env';
import { importProfile } from '@/lib/profile/import';
import { createPlatformClients } from '@/lib/sync/providers';
import { getJobTypes } from '@/lib/job-types';
import { addDays, toIsoDate } from '@/lib/sync/dates';
import { fakeDayCount, startFakePlatforms, type FakePlatforms } from '@/scripts/fake-platforms';
import * as requestRoute from '@/app/api/profile/[username]/request/route';
import * as statusRoute from '@/app/api/profile/[username]/status/route';
import * as pauseRoute from '@/app/api/profile/[username]/pause/route';
import * as resumeRoute from '@/app/api/profile/[username]/resume/route';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { call, closeAppDb, useAppEnv } from '../helpers/route-call';

let t: TestDb;
let fake: FakePlatforms;
beforeAll(async () => {
  t = await createTestDb();
  fake = await startFakePlatforms();
  useAppEnv(t, fake.baseUrls);
});
afterAll(async () => {
  await fake.close();
  await closeAppDb();
  await t.close();
});

const request = (username: string, body?: unknown, key?: string | null) =>
  call(requestRoute.POST, 'POST', `/api/profile/${username}/request`, { body, key, params: { username } });
const status = (username: string) =>
  call(statusRoute.GET, 'GET', `/api/profile/${username}/status`, { key: null, params: { username } });
const pause = (username: string, key?: string | null) =>
  call(pauseRoute.POST, 'POST', `/api/profile/${username}/pause`, { key, params: { username } });
const resume = (username: string, key?: string | null) =>
  call(resumeRoute.POST, 'POST', `/api/profile/${username}/resume`, { key, params: { username } });
const processProfiles = () => runBatch(t.db, getJobTypes(), { queues: ['profile'], timeBudgetMs: 50_000 });
const jobCount = async (where: ReturnType<typeof sql>) =>
  Number(
    (
      await t.db
        .select({ n: sql<number>`count(*)::int` })
        .from(jobs)
        .where(where)
    )[0].n,
  );

// The reference table's columns (id, username, source … updated_at); nothing else: the endpoint is public.
const STATUS_FIELDS = [
  'attempts',
  'created_at',
  'error_message',
  'id',
  'last_attempt',
  'priority',
  'request_id',
  'source',
  'status',
  'timestamp',
  'updated_at',
  'username',
];

describe('requesting a profile', () => {
  it('queues a request and reports it on the public status endpoint with only the reference fields', async () => {
    const res = await request('octocat', { source: 'frontend', priority: 'HIGH', request_id: 'req-octo-1' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      username: 'octocat',
      request_id: 'req-octo-1',
      status: 'PENDING',
      priority: 'HIGH',
      created: true,
      duplicate: false,
    });
    const st = await status('octocat');
    expect(st.status).toBe(200);
    expect(Object.keys(st.body).sort()).toEqual(STATUS_FIELDS);
    expect(st.body).toMatchObject({
      status: 'PENDING',
      priority: 'HIGH',
      attempts: 0,
      last_attempt: null,
      error_message: null,
      request_id: 'req-octo-1',
    });
    expect(st.body.timestamp).toBe(st.body.created_at);
    expect(st.body).toMatchObject({ id: res.body.job_id, username: 'octocat', source: 'frontend' });
  });

  it('answers a repeated request_id with the first request’s job, flagged duplicate', async () => {
    const first = await status('octocat');
    const again = await request('octocat', { request_id: 'req-octo-1', priority: 'LOW' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, created: false, request_id: 'req-octo-1', priority: 'HIGH' });
    // a request_id is unique across usernames too: reused for another one, it is refused, not answered
    // with a job that is not that username's
    const elsewhere = await request('someone-else', { request_id: 'req-octo-1' });
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body.details).toMatchObject({ request_id: 'req-octo-1', job_id: again.body.job_id });
    expect((await status('someone-else')).status).toBe(404);
    expect((await status('octocat')).body.request_id).toBe(first.body.request_id);
  });

  it('lets a new request for a username with an unfinished request join that job, and resolves its id to it for good', async () => {
    const existing = await request('octocat', { request_id: 'req-octo-2' });
    expect(existing.status).toBe(200);
    expect(existing.body).toMatchObject({
      created: false,
      duplicate: false,
      joined: true,
      request_id: 'req-octo-2',
      priority_raised: false,
    });
    const again = await request('octocat', { request_id: 'req-octo-2' });
    expect(again.body).toMatchObject({
      duplicate: true,
      created: false,
      request_id: 'req-octo-2',
      job_id: existing.body.job_id,
    });
    expect((await request('someone-else', { request_id: 'req-octo-2' })).status).toBe(409);
    expect(await jobCount(sql`type = 'profile.process' and entity_id = 'octocat'`)).toBe(1);
  });

  it('claims HIGH requests before LOW ones', async () => {
    await request('low-lee', { priority: 'LOW' });
    await request('high-hu', { priority: 'HIGH' });
    const claimed = await claimJobs(t.db, {
      workerId: 'probe',
      limit: 3,
      leaseMs: 60_000,
      now: new Date(),
      types: ['profile.process'],
    });
    const names = claimed.map((j) => (j.payload as { username: string }).username);
    expect(names).toEqual(['octocat', 'high-hu', 'low-lee']);
    await releaseJobs(t.db, {
      workerId: 'probe',
      items: claimed.map((j) => ({ id: j.id, attempt: j.attempts })),
      now: new Date(),
    });
  });

  it('imports the profile: creates the user, backfills 30 days through the platform clients, records the result', async () => {
    await request('carol', { platforms: { github: 'carol-gh', twitter: 'carol_tw' } });
    const summary = await processProfiles();
    expect(summary.counts).toMatchObject({ completed: 4, failed: 0 });

    const st = await status('octocat');
    expect(st.body).toMatchObject({ status: 'COMPLETED', attempts: 1, error_message: null });
    expect(Date.parse(st.body.last_attempt)).not.toBeNaN();

    const [carol] = await t.db.select().from(users).where(eq(users.username, 'carol'));
    const conns = await t.db.select().from(platformConnections).where(eq(platformConnections.userId, carol.id));
    expect(conns.map((c) => `${c.platform}:${c.handle}`).sort()).toEqual(['github:carol-gh', 'twitter:carol_tw']);
    const rows = await t.db.select().from(activities).where(eq(activities.userId, carol.id));
    expect(rows).toHaveLength(60);
    const [job] = await t.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.type, 'profile.process'), eq(jobs.entityId, 'carol')));
    // The days end on the one the job started on, which midnight may have left behind since.
    const to = toIsoDate(parseTs(job.startedAt));
    for (const p of ['github', 'twitter'] as const) {
      const mine = rows.filter((r) => r.platform === p);
      expect(mine.map((r) => r.date).sort()).toEqual(Array.from({ length: 30 }, (_, i) => addDays(to, i - 29)));
      for (const r of mine) {
        const full = fakeDayCount(p, p === 'github' ? 'carol-gh' : 'carol_tw', r.date);
        // that day was still happening: the fake served only what had been posted so far
        if (r.date === to) expect(r.count).toBeLessThanOrEqual(full);
        else expect(r.count, `${p} ${r.date}`).toBe(full);
      }
    }
    // with no handles given, a new user gets GitHub under the username
    const [octo] = await t.db.select().from(users).where(eq(users.username, 'octocat'));
    expect(await t.db.select().from(platformConnections).where(eq(platformConnections.userId, octo.id))).toEqual([
      expect.objectContaining({ platform: 'github', handle: 'octocat' }),
    ]);
    expect(job.result).toMatchObject({
      username: 'carol',
      userCreated: true,
      platforms: { github: { handle: 'carol-gh', days: 30 } },
    });

    // a later attempt of the same job (after a timeout) does not fetch the days already stored
    const before = fake.control.count('github', 'carol-gh');
    const again = await importProfile(
      t.db,
      createPlatformClients(env()),
      { username: 'carol', source: 'manual', requestId: 'r', platforms: {} },
      {
        now: new Date(),
        resumeSince: new Date(parseTs(job.createdAt).getTime()),
      },
    );
    expect(fake.control.count('github', 'carol-gh')).toBe(before);
    expect(again.platforms).toEqual((job.result as { platforms: unknown }).platforms);
  });

  it('keeps the request_id for good: after completion it still answers the first job; a new request queues again', async () => {
    const dup = await request('octocat', { request_id: 'req-octo-1' });
    expect(dup.body).toMatchObject({ duplicate: true, status: 'COMPLETED' });
    const fresh = await request('octocat', {});
    expect(fresh.status).toBe(202);
    expect(fresh.body.request_id).toMatch(/^req_/);
    await processProfiles();
  });

  it('creates exactly one job for 10 concurrent identical requests', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => request('dana', { request_id: 'req-dana', priority: 'HIGH' })),
    );
    expect(new Set(answers.map((a) => a.body.job_id)).size).toBe(1);
    expect(answers.filter((a) => a.body.created)).toHaveLength(1);
    expect(answers.filter((a) => a.body.duplicate)).toHaveLength(9);
    expect(await jobCount(sql`correlation_id = 'req-dana'`)).toBe(1);

    const differentIds = await Promise.all(
      Array.from({ length: 10 }, (_, i) => request('eve', { request_id: `req-eve-${i}` })),
    );
    expect(new Set(differentIds.map((a) => a.body.job_id)).size).toBe(1);
    expect(await jobCount(sql`type = 'profile.process' and entity_id = 'eve'`)).toBe(1);
    expect(differentIds.filter((a) => a.body.joined)).toHaveLength(9);
    await processProfiles();
    // every one of the ten ids resolves to that job, after it finished too
    for (let i = 0; i < 10; i++) {
      expect((await request('eve', { request_id: `req-eve-${i}` })).body).toMatchObject({
        duplicate: true,
        job_id: differentIds[0].body.job_id,
      });
    }
    expect(await jobCount(sql`type = 'profile.process' and entity_id = 'eve'`)).toBe(1);
  });

  it('raises a waiting LOW request to HIGH when a HIGH request joins it, and says so', async () => {
    const low = await request('hedy', { priority: 'LOW', request_id: 'req-hedy-low' });
    expect(low.body).toMatchObject({ priority: 'LOW', created: true });
    const high = await request('hedy', { priority: 'HIGH', request_id: 'req-hedy-high' });
    expect(high.body).toMatchObject({
      job_id: low.body.job_id,
      joined: true,
      priority_raised: true,
      priority: 'HIGH',
      request_id: 'req-hedy-high',
    });
    expect(high.body.message).toMatch(/raised it to HIGH/);
    expect((await status('hedy')).body).toMatchObject({ priority: 'HIGH', request_id: 'req-hedy-low' });
    // a LOW request never lowers it
    expect((await request('hedy', { priority: 'LOW', request_id: 'req-hedy-low-2' })).body).toMatchObject({
      priority: 'HIGH',
      priority_raised: false,
    });
    await processProfiles();
    expect((await request('hedy', { request_id: 'req-hedy-high' })).body).toMatchObject({
      duplicate: true,
      job_id: low.body.job_id,
      status: 'COMPLETED',
    });
  });
});

describe('PAUSED', () => {
  it('holds a paused request until it is resumed', async () => {
    await request('frida', {});
    expect((await pause('frida')).body).toMatchObject({ status: 'PAUSED' });
    expect((await status('frida')).body.status).toBe('PAUSED');
    await processProfiles();
    expect((await status('frida')).body).toMatchObject({ status: 'PAUSED', attempts: 0 });
    expect((await resume('frida')).body).toMatchObject({ status: 'PENDING' });
    await processProfiles();
    expect((await status('frida')).body.status).toBe('COMPLETED');
    expect((await pause('frida')).status).toBe(409);
    expect((await resume('frida')).status).toBe(409);
    expect((await pause('nobody-here')).status).toBe(404);
  });

  it('can queue a request already paused, atomically', async () => {
    const res = await request('gina', { paused: true, request_id: 'req-gina' });
    expect(res.body).toMatchObject({ created: true, status: 'PAUSED' });
    await processProfiles();
    expect((await status('gina')).body.status).toBe('PAUSED');
    await resume('gina');
    await processProfiles();
    expect((await status('gina')).body).toMatchObject({ status: 'COMPLETED', request_id: 'req-gina' });
  });
});

describe('failures', () => {
  it('fails for good when no platform can be read, with a message a person understands', async () => {
    await request('gone-georgia', {});
    await processProfiles();
    const st = await status('gone-georgia');
    expect(st.body.status).toBe('FAILED');
    expect(st.body.error_message).toMatch(/^Profile import failed: no platform could be read \(GitHub: /);
    // the failed request leaves no user (nor its connections) it made itself
    expect(
      await t.db
        .select()
        .from(users)
        .where(sql`lower(username) = 'gone-georgia'`),
    ).toEqual([]);
  });

  it('waits out a rate limit and then completes', async () => {
    fake.control.apply({
      addFaults: [{ platform: 'github', handle: 'hank', mode: 'rate_limit', retryAfterSec: 1, times: 1, delayMs: 0 }],
    });
    await request('hank', {});
    await processProfiles();
    const waiting = await status('hank');
    expect(waiting.body).toMatchObject({
      status: 'PENDING',
      attempts: 0,
      error_message: 'Rate limited by github; will retry',
    });
    const later = new Date(Date.now() + 5_000);
    await runBatch(t.db, getJobTypes(), { queues: ['profile'], clock: () => later, timeBudgetMs: 50_000 });
    expect((await status('hank')).body).toMatchObject({ status: 'COMPLETED', error_message: null });
  });
});

describe('auth and input', () => {
  it('needs the API key to request, pause or resume; status is public', async () => {
    for (const key of [null, 'wrong-key-123']) {
      for (const res of [
        await request('octocat', {}, key),
        await pause('octocat', key),
        await resume('octocat', key),
      ]) {
        expect(res.status).toBe(401);
        expect(res.body.error).toEqual(expect.any(String));
      }
    }
    expect((await status('octocat')).status).toBe(200);
    const unknown = await status('never-requested');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toEqual(expect.any(String));
  });

  it('rejects a bad username or body with 400 JSON and queues nothing', async () => {
    const before = await jobCount(sql`type = 'profile.process'`);
    const bad = [
      await request('a'.repeat(40), {}),
      await request('-dash', {}),
      await request('has space', {}),
      await request('semi;colon', {}),
      await request('ok', { priority: 'MEDIUM' }),
      await request('ok', { request_id: 'x'.repeat(51) }),
      await request('ok', { request_id: 'tab\there' }),
      await request('ok', { source: 'nul\u0000byte' }),
      await request('ok', { timestamp: 'yesterday' }),
      await request('a..b', {}),
      await request('ok', { source: '' }),
      await request('ok', { platforms: { github: 'bad handle' } }),
      await request('ok', { platforms: { myspace: 'x' } }),
      await request('ok', { surprise: 1 }),
      await request('ok', '{"priority":'),
      await status('bad/name'),
      await status('x'.repeat(40)),
    ];
    for (const res of bad) {
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual(expect.any(String));
    }
    expect(await jobCount(sql`type = 'profile.process'`)).toBe(before);
  });

  it('names the field it refuses, and refuses at request time a username nothing could be read for', async () => {
    const ctl = await request('ok', { source: 'line\nbreak' });
    expect(ctl.body.error).toMatch(/source/);
    const dots = await request('a..b', {});
    expect(dots.status).toBe(400);
    expect(dots.body.error).toMatch(/username/);
    expect(
      await t.db
        .select()
        .from(users)
        .where(sql`lower(username) = 'a..b'`),
    ).toEqual([]);
  });

  it('accepts what the reference’s columns accept: printable source and request_id, and its timestamp field', async () => {
    const res = await request('printable-pat', {
      source: 'Frontend App (v2) — ümlaut',
      request_id: 'req 42 / büro',
      timestamp: '2025-04-20T08:00:00Z',
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ request_id: 'req 42 / büro' });
    expect((await status('printable-pat')).body).toMatchObject({
      source: 'Frontend App (v2) — ümlaut',
      request_id: 'req 42 / büro',
    });
    expect((await request('printable-pat', { request_id: 'req 42 / büro' })).body).toMatchObject({ duplicate: true });
  });
});
