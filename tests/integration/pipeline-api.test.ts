import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJob, pauseJob } from '@/lib/queue';
import { getJobTypes } from '@/lib/job-types';
import { addApp } from '@/lib/pipeline/add';
import { pollJobs } from '@/lib/pipeline/poll';
import { updatePipelineJob } from '@/lib/pipeline/update';
import * as addRoute from '@/app/queue/add/route';
import * as pollRoute from '@/app/queue/poll/route';
import * as updateRoute from '@/app/queue/[job_id]/update/route';
import * as historyRoute from '@/app/queue/[job_id]/history/route';
import * as statusRoute from '@/app/queue/status/[app_id]/route';
import * as overviewRoute from '@/app/queue/overview/route';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { call, closeAppDb, useAppEnv } from '../helpers/route-call';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  useAppEnv(t);
});
afterAll(async () => {
  await closeAppDb();
  await t.close();
});

const add = (app_id: unknown) => call(addRoute.POST, 'POST', '/queue/add', { body: { app_id } });
const poll = (qs: string) => call(pollRoute.GET, 'GET', `/queue/poll?${qs}`);
const update = (jobId: string, body: Record<string, unknown>) =>
  call(updateRoute.POST, 'POST', `/queue/${jobId}/update`, { body, params: { job_id: jobId } });
const status = (appId: string) => call(statusRoute.GET, 'GET', `/queue/status/${appId}`, { params: { app_id: appId } });
const history = (jobId: string) =>
  call(historyRoute.GET, 'GET', `/queue/${jobId}/history`, { params: { job_id: jobId } });

describe('the reference lifecycle over HTTP', () => {
  it('walks com.spotify.music from add to done, answering as the reference documents', async () => {
    const created = await add('com.spotify.music');
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ status: 'queued', stage: 'scraper' });
    const jobId: string = created.body.job_id;

    expect((await add('com.spotify.music')).body).toMatchObject({
      status: 'queued_already',
      stage: 'scraper',
      current_status: 'queued',
    });

    const peeked = await poll('stage=scraper&status=queued&limit=1&peek=true');
    expect(peeked.body).toEqual([
      expect.objectContaining({ job_id: jobId, app_id: 'com.spotify.music', stage: 'scraper', status: 'queued' }),
    ]);

    const claimed = await poll('stage=scraper&status=queued&limit=1');
    expect(claimed.status).toBe(200);
    expect(claimed.body).toHaveLength(1);
    // Handed out exclusively, and answered in the contract's words: a worker checking for "queued" takes it.
    expect(claimed.body[0]).toMatchObject({
      job_id: jobId,
      app_id: 'com.spotify.music',
      stage: 'scraper',
      status: 'queued',
    });
    expect(Object.keys(claimed.body[0])).toEqual(
      expect.arrayContaining(['job_id', 'app_id', 'stage', 'status', 'requested_at', 'updated_at']),
    );
    expect((await poll('stage=scraper&status=queued&limit=1')).body).toEqual([]);
    expect((await add('com.spotify.music')).body).toMatchObject({ status: 'queued_already', current_status: 'queued' });

    const confirmed = await update(jobId, { status: 'processing', stage: 'scraper' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'processing', stage: 'scraper' });
    expect((await add('com.spotify.music')).body).toMatchObject({
      status: 'queued_already',
      current_status: 'processing',
    });
    expect((await update(jobId, { status: 'processing', stage: 'scraper' })).body).toMatchObject({
      status: 'processing',
      noop: true,
    });

    expect((await update(jobId, { status: 'queued', stage: 'nlp' })).body).toMatchObject({
      status: 'queued',
      stage: 'nlp',
    });
    expect((await status('com.spotify.music')).body).toMatchObject({ status: 'queued', stage: 'nlp' });
    expect((await poll('stage=scraper&status=queued')).body).toEqual([]);

    const nlp = await poll('stage=nlp&status=queued&limit=1');
    expect(nlp.body).toEqual([expect.objectContaining({ job_id: jobId, stage: 'nlp', status: 'queued' })]);
    expect((await update(jobId, { status: 'processing', stage: 'nlp' })).status).toBe(200);
    const done = await update(jobId, { status: 'completed', stage: 'done', result: { meanScore: 0.4 } });
    expect(done.body).toMatchObject({ status: 'completed', stage: 'done' });

    expect((await add('com.spotify.music')).body).toEqual({ status: 'exists', message: 'Already done' });
    const st = await status('com.spotify.music');
    expect(st.body).toMatchObject({ status: 'completed', stage: 'done', job_id: jobId, error_message: null });
    expect(Date.parse(st.body.requested_at)).not.toBeNaN();
    expect(Date.parse(st.body.updated_at)).not.toBeNaN();

    const hist = await history(jobId);
    expect(hist.body.map((h: { stage: string; status: string }) => `${h.stage}:${h.status}`)).toEqual([
      'scraper:queued',
      'scraper:processing',
      'nlp:queued',
      'nlp:processing',
      'done:completed',
    ]);
    expect(hist.body[0]).toMatchObject({ job_id: jobId, app_id: 'com.spotify.music' });
    expect(Object.keys(hist.body[0]).sort()).toEqual(['app_id', 'job_id', 'stage', 'status', 'timestamp']);

    const overview = await call(overviewRoute.GET, 'GET', '/queue/overview');
    expect(overview.body.done_jobs_today).toBe(1);
    expect(overview.body.active_jobs).toEqual([]);
    expect(Date.parse(overview.body.timestamp)).not.toBeNaN();
  });

  it('lists active jobs in the overview and filters polls by stage and status without claiming', async () => {
    await add('com.example.one');
    await add('com.example.two');
    const overview = await call(overviewRoute.GET, 'GET', '/queue/overview');
    expect(overview.body.active_jobs.map((j: { app_id: string }) => j.app_id)).toEqual([
      'com.example.one',
      'com.example.two',
    ]);
    expect(overview.body.active_jobs[0]).toMatchObject({ status: 'queued', stage: 'scraper' });
    const all = await poll('stage=any&status=any&limit=10');
    expect(all.body.map((j: { app_id: string }) => j.app_id)).toEqual([
      'com.spotify.music',
      'com.example.one',
      'com.example.two',
    ]);
    expect((await poll('stage=any&status=queued&limit=10')).body).toHaveLength(2);
    expect((await poll('stage=scraper&status=completed')).body).toEqual([]);
    expect((await poll('stage=any&status=completed')).body).toHaveLength(1);
    // stage=any never claims: both are still queued
    expect((await poll('stage=scraper&status=queued&limit=5&peek=1')).body).toHaveLength(2);
  });
});

describe('the update table', () => {
  it('answers 404 {"error":"Job not found"} for an unknown id', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'abc123']) {
      const res = await update(id, { status: 'processing', stage: 'scraper' });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'Job not found' });
    }
    expect((await status('com.never.added')).status).toBe(404);
    expect((await history('00000000-0000-4000-8000-000000000000')).body).toEqual({ error: 'Job not found' });
  });

  it('refuses with 409 what the table does not allow', async () => {
    const { job_id } = (await add('com.example.table')).body;
    expect((await update(job_id, { status: 'completed', stage: 'done' })).status).toBe(409);
    expect((await update(job_id, { status: 'processing', stage: 'nlp' })).status).toBe(409);
    expect((await update(job_id, { status: 'processing', stage: 'scraper' })).body).toMatchObject({
      status: 'processing',
    });
    expect((await update(job_id, { status: 'completed', stage: 'done' })).status).toBe(409);
    expect((await update(job_id, { status: 'error', stage: 'nlp' })).status).toBe(409);
    const err = await update(job_id, { status: 'error', stage: 'scraper', error_message: 'store said 404' });
    expect(err.body).toMatchObject({ status: 'error', stage: 'scraper' });
    const refused = await update(job_id, { status: 'processing', stage: 'scraper' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/finished/);
    expect((await status('com.example.table')).body).toMatchObject({
      status: 'error',
      stage: 'scraper',
      error_message: 'store said 404',
    });
    // an app whose job ended in error can be queued again
    expect((await add('com.example.table')).body).toMatchObject({ status: 'queued', stage: 'scraper' });
  });

  it('marks a queued job as error at its stage and records every change in the history', async () => {
    const { job_id } = (await add('com.example.dropped')).body;
    expect((await update(job_id, { status: 'error', stage: 'scraper' })).body).toMatchObject({ status: 'error' });
    const hist = (await history(job_id)).body;
    expect(hist.map((h: { status: string }) => h.status)).toEqual(['queued', 'error']);
  });

  it('does not hand out or start a paused job', async () => {
    const { job_id } = (await add('com.example.paused')).body;
    await pauseJob(t.db, { id: job_id, now: new Date() });
    expect(
      (await poll('stage=scraper&status=queued&limit=50')).body.map((j: { app_id: string }) => j.app_id),
    ).not.toContain('com.example.paused');
    const res = await update(job_id, { status: 'processing', stage: 'scraper' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatch(/paused/);
  });
});

describe('hand-outs and leases', () => {
  const base = { stage: 'scraper' as const, status: 'queued' as const, limit: 100, peek: false, lease_s: 30 };

  it('hands a job out again when its hold passes unconfirmed, and refuses the first worker once the second holds it', async () => {
    const types = getJobTypes();
    const t0 = new Date('2030-01-01T00:00:00Z');
    const { job_id } = (await addApp(t.db, types, { appId: 'com.example.lease', now: t0 })) as { job_id: string };
    const first = await pollJobs(t.db, { ...base, worker: 'a', now: t0 });
    expect(first.map((j) => j.job_id)).toContain(job_id);
    expect(
      (await pollJobs(t.db, { ...base, worker: 'b', now: new Date(t0.getTime() + 10_000) })).map((j) => j.job_id),
    ).not.toContain(job_id);

    const later = new Date(t0.getTime() + 31_000);
    const second = await pollJobs(t.db, { ...base, worker: 'b', now: later });
    expect(second.map((j) => j.job_id)).toContain(job_id);
    await expect(
      updatePipelineJob(t.db, {
        jobId: job_id,
        status: 'processing',
        stage: 'scraper',
        worker: 'a',
        lease_s: 600,
        now: later,
      }),
    ).rejects.toMatchObject({ code: 'conflict' });
    // the result without a processing update first: starts and finishes the stage at once
    const moved = await updatePipelineJob(t.db, {
      jobId: job_id,
      status: 'queued',
      stage: 'nlp',
      worker: 'b',
      lease_s: 600,
      now: later,
    });
    expect(moved).toMatchObject({ stage: 'nlp', status: 'queued' });
    const hist = (await history(job_id)).body.map((h: { stage: string; status: string }) => `${h.stage}:${h.status}`);
    expect(hist).toEqual(['scraper:queued', 'scraper:processing', 'nlp:queued']);
  });

  it('spends no attempt on hand-outs nobody confirms: after many, the job is still queued with every attempt left', async () => {
    const types = getJobTypes();
    let now = new Date('2031-01-01T00:00:00Z');
    const { job_id } = (await addApp(t.db, types, { appId: 'com.example.unconfirmed', now })) as { job_id: string };
    for (let i = 0; i < 6; i++) {
      const got = await pollJobs(t.db, { ...base, now });
      expect(got.find((j) => j.job_id === job_id)).toMatchObject({ status: 'queued' });
      now = new Date(now.getTime() + 31_000);
    }
    const job = await getJob(t.db, job_id);
    expect(job).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    expect((await status('com.example.unconfirmed')).body).toMatchObject({
      status: 'queued',
      stage: 'scraper',
      error_message: null,
    });
  });

  it('says a confirmed job whose worker vanished failed without naming an internal worker id', async () => {
    const types = getJobTypes();
    let now = new Date('2032-01-01T00:00:00Z');
    const { job_id } = (await addApp(t.db, types, { appId: 'com.example.vanished', now })) as { job_id: string };
    for (let i = 0; i < 3; i++) {
      expect((await pollJobs(t.db, { ...base, now })).map((j) => j.job_id)).toContain(job_id);
      await updatePipelineJob(t.db, { jobId: job_id, status: 'processing', stage: 'scraper', lease_s: 30, now });
      now = new Date(now.getTime() + 31_000);
    }
    await pollJobs(t.db, { ...base, now });
    const st = (await status('com.example.vanished')).body;
    expect(st).toMatchObject({ status: 'error', stage: 'scraper' });
    expect(st.error_message).not.toMatch(/pipeline:|http-/);
  });
});

describe('idempotent updates', () => {
  it('answers 200 with the current state when a worker re-sends an update that already took effect', async () => {
    const { job_id } = (await add('com.example.resend')).body;
    await poll('stage=scraper&status=queued&limit=50');
    expect((await update(job_id, { status: 'processing', stage: 'scraper' })).status).toBe(200);
    expect((await update(job_id, { status: 'queued', stage: 'nlp' })).status).toBe(200);
    const again = await update(job_id, { status: 'queued', stage: 'nlp' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ job_id, status: 'queued', stage: 'nlp', noop: true });
    expect((await update(job_id, { status: 'processing', stage: 'nlp' })).status).toBe(200);
    // the scraper's late re-send after NLP started: still a repeat, and NLP's claim is untouched
    expect((await update(job_id, { status: 'queued', stage: 'nlp' })).body).toMatchObject({
      status: 'processing',
      stage: 'nlp',
      noop: true,
    });
    expect((await update(job_id, { status: 'completed', stage: 'done' })).status).toBe(200);
    const done = await update(job_id, { status: 'completed', stage: 'done' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', stage: 'done', noop: true });
    expect((await update(job_id, { status: 'error', stage: 'nlp' })).status).toBe(409);
    const hist = (await history(job_id)).body.map((h: { stage: string; status: string }) => `${h.stage}:${h.status}`);
    expect(hist).toEqual(['scraper:queued', 'scraper:processing', 'nlp:queued', 'nlp:processing', 'done:completed']);
  });

  it("keeps the worker's error_message when it reports an error for a queued job, and answers a repeat with 200", async () => {
    const { job_id } = (await add('com.example.queued-error')).body;
    const res = await update(job_id, {
      status: 'error',
      stage: 'scraper',
      error_message: 'app removed from the store',
    });
    expect(res.body).toMatchObject({ status: 'error', stage: 'scraper' });
    expect((await status('com.example.queued-error')).body).toMatchObject({
      status: 'error',
      stage: 'scraper',
      error_message: 'app removed from the store',
    });
    const again = await update(job_id, {
      status: 'error',
      stage: 'scraper',
      error_message: 'app removed from the store',
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'error', noop: true });
  });
});

describe('auth and input', () => {
  const each = (key: string | null) => [
    call(addRoute.POST, 'POST', '/queue/add', { body: { app_id: 'x' }, key }),
    call(pollRoute.GET, 'GET', '/queue/poll?stage=scraper&status=queued', { key }),
    call(updateRoute.POST, 'POST', '/queue/x/update', {
      body: { status: 'processing', stage: 'scraper' },
      key,
      params: { job_id: 'x' },
    }),
    call(historyRoute.GET, 'GET', '/queue/x/history', { key, params: { job_id: 'x' } }),
    call(statusRoute.GET, 'GET', '/queue/status/x', { key, params: { app_id: 'x' } }),
    call(overviewRoute.GET, 'GET', '/queue/overview', { key }),
  ];

  it('rejects a missing or wrong key with 401 JSON on every route', async () => {
    for (const key of [null, 'wrong-key-123', '']) {
      for (const res of await Promise.all(each(key))) {
        expect(res.status).toBe(401);
        expect(res.body.error).toMatch(/bearer/i);
      }
    }
  });

  it('rejects bad input with 400 JSON naming the problem', async () => {
    const bad = [
      await call(addRoute.POST, 'POST', '/queue/add', { body: {} }),
      await add('../etc/passwd'),
      await add(''),
      await add(42),
      await call(addRoute.POST, 'POST', '/queue/add', { body: '{"app_id":' }),
      await call(addRoute.POST, 'POST', '/queue/add', { body: '[1]' }),
      await poll('status=queued'),
      await poll('stage=scraper'),
      await poll('stage=upload&status=queued'),
      await poll('stage=scraper&status=waiting'),
      await poll('stage=scraper&status=queued&limit=0'),
      await poll('stage=scraper&status=queued&limit=abc'),
      await poll('stage=scraper&status=queued&peek=maybe'),
      await update('abc', { status: 'running', stage: 'scraper' }),
      await update('abc', { status: 'processing' }),
      await update('abc', { status: 'processing', stage: 'upload' }),
      await status('..'),
    ];
    for (const res of bad) {
      expect(res.status).toBe(400);
      expect(typeof res.body.error).toBe('string');
    }
  });

  it('answers 503 and stays closed when QUEUE_API_KEY is unset', async () => {
    const { env } = await import('@/lib/env');
    const e = env();
    const saved = e.QUEUE_API_KEY;
    (e as { QUEUE_API_KEY?: string }).QUEUE_API_KEY = undefined;
    try {
      expect((await call(overviewRoute.GET, 'GET', '/queue/overview')).status).toBe(503);
    } finally {
      (e as { QUEUE_API_KEY?: string }).QUEUE_API_KEY = saved;
    }
  });
});

describe('answers that agree', () => {
  it('names the range when limit or lease_s is out of it', async () => {
    for (const [qs, field, range] of [
      ['limit=0', 'limit', '1 to 100'],
      ['limit=101', 'limit', '1 to 100'],
      ['limit=abc', 'limit', '1 to 100'],
      ['lease_s=5', 'lease_s', '10 to 3600'],
      ['lease_s=4000', 'lease_s', '10 to 3600'],
    ]) {
      const res = await poll(`stage=scraper&status=queued&${qs}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe(`Invalid query: ${field} must be a whole number from ${range}`);
    }
  });

  it('gives details one shape: an object, with issues for validation and context for other refusals', async () => {
    const bad = await poll('stage=scraper&status=queued&limit=0');
    expect(bad.body.details).toEqual({ issues: [{ path: 'limit', message: 'must be a whole number from 1 to 100' }] });
    const { job_id } = (await add('com.example.details')).body;
    const refused = await update(job_id, { status: 'completed', stage: 'done' });
    expect(refused.status).toBe(409);
    expect(refused.body.details).toEqual({ current: { stage: 'scraper', status: 'queued' } });
  });
});
