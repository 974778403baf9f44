import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimJobs, getJobWithEvents, runBatch } from '@/lib/queue';
import { getJobTypes } from '@/lib/job-types';
import { createSessionToken, sessionKey, SESSION_COOKIE } from '@/lib/auth/session';
import { canAuditTransition, type AuditStatus } from '@/lib/audit/vocabulary';
import * as jobsRoute from '@/app/api/jobs/route';
import * as jobRoute from '@/app/api/jobs/[id]/route';
import * as statsRoute from '@/app/api/queue/stats/route';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { call, closeAppDb, useAppEnv } from '../helpers/route-call';

const PASSWORD = 'test-dashboard-password';
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  useAppEnv(t, { DASHBOARD_PASSWORD: PASSWORD, AUDIT_EXTERNAL_JOB_TYPES: 'resume-processing/extract-resume-content' });
});
afterAll(async () => {
  await closeAppDb();
  await t.close();
});

const create = (body: unknown, key?: string | null) => call(jobsRoute.POST, 'POST', '/api/jobs', { body, key });
const get = (id: string) => call(jobRoute.GET, 'GET', `/api/jobs/${id}`, { params: { id } });
const patch = (id: string, body: unknown) => call(jobRoute.PATCH, 'PATCH', `/api/jobs/${id}`, { body, params: { id } });
const trace = (qs: string) => call(jobsRoute.GET, 'GET', `/api/jobs?${qs}`);
const runJobsQueue = () => runBatch(t.db, getJobTypes(), { queues: ['jobs'], timeBudgetMs: 20_000 });

const RESUME = [
  'Jane Doe',
  'jane@example.com',
  'https://github.com/jane',
  '',
  'Experience:',
  'Built TypeScript queues at Acme',
  'Led TypeScript migration',
  '',
  'Skills',
  'TypeScript, PostgreSQL',
].join('\n');

function expectAllowedSteps(history: { from: AuditStatus; status: AuditStatus }[]) {
  for (const step of history)
    expect(canAuditTransition(step.from, step.status), `${step.from} → ${step.status}`).toBe(true);
}

describe('audited jobs', () => {
  it('creates a traced job with a generated correlation id, runs it, and records its duration', async () => {
    const res = await create({
      type: 'document.extract',
      payload: { fileName: 'jane.txt', contentBase64: Buffer.from(RESUME).toString('base64') },
      userId: '2f1c7c1e-8d7a-4c53-9c1e-3b2a1d0e9f10',
      entity: { name: 'extracted_resume_content', id: 'erc-1' },
      priority: 'high',
      metadata: { fileSize: RESUME.length },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      queueName: 'jobs',
      jobType: 'document.extract',
      status: 'queued',
      priority: 'high',
      attempts: 0,
      maxAttempts: 3,
      entityName: 'extracted_resume_content',
      entityId: 'erc-1',
      userId: '2f1c7c1e-8d7a-4c53-9c1e-3b2a1d0e9f10',
      metadata: { fileSize: RESUME.length },
      errorDetails: null,
      processingDurationMs: null,
    });
    expect(res.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);

    const summary = await runJobsQueue();
    expect(summary.counts.completed).toBe(1);
    const done = await get(res.body.id);
    expect(done.body).toMatchObject({ status: 'completed', attempts: 1, errorDetails: null });
    expect(done.body.processingDurationMs).toEqual(expect.any(Number));
    expect(done.body.result).toMatchObject({
      emails: ['jane@example.com'],
      links: ['https://github.com/jane'],
      sections: [
        { title: 'Experience', lines: 2 },
        { title: 'Skills', lines: 1 },
      ],
    });
    expect(done.body.result.topTerms[0]).toEqual({ term: 'typescript', count: 3 });
    expect(done.body.history.map((h: { status: string }) => h.status)).toEqual(['processing', 'completed']);
    expectAllowedSteps(done.body.history);
  });

  it('traces jobs by correlation id and by entity', async () => {
    const correlationId = 'trace-42';
    for (const fileName of ['a.txt', 'b.txt']) {
      await create({
        jobType: 'document.extract',
        payload: { fileName, text: 'Skills\nSQL' },
        correlationId,
        entityName: 'resume',
        entityId: 'r-7',
      });
    }
    await create({
      type: 'document.extract',
      payload: { fileName: 'c.txt', text: 'x' },
      correlationId: 'trace-other',
      entity: { name: 'resume', id: 'r-7' },
    });
    const byCorrelation = await trace(`correlationId=${correlationId}`);
    expect(byCorrelation.body.items.map((j: { payload: { fileName: string } }) => j.payload.fileName).sort()).toEqual([
      'a.txt',
      'b.txt',
    ]);
    expect(byCorrelation.body.nextCursor).toBeNull();
    const byEntity = await trace('entityName=resume&entityId=r-7&limit=2');
    expect(byEntity.body.items).toHaveLength(2);
    const rest = await trace(`entityName=resume&entityId=r-7&limit=2&cursor=${byEntity.body.nextCursor}`);
    expect(rest.body.items).toHaveLength(1);
    await runJobsQueue();
  });

  it('claims critical before low', async () => {
    const low = await create({ type: 'document.review', payload: { n: 1 }, priority: 'low' });
    const critical = await create({ type: 'document.review', payload: { n: 2 }, priority: 'critical' });
    const [first] = await claimJobs(t.db, {
      workerId: 'w',
      limit: 1,
      leaseMs: 60_000,
      now: new Date(),
      types: ['document.review'],
    });
    expect(first.id).toBe(critical.body.id);
    expect(first.id).not.toBe(low.body.id);
  });

  it('sanitises a failure for the client and keeps the detail in the server-side history', async () => {
    const res = await create({
      type: 'document.extract',
      payload: { fileName: 'secret-path.bin', contentBase64: '@@not base64@@' },
    });
    await runJobsQueue();
    const failed = await get(res.body.id);
    expect(failed.body).toMatchObject({ status: 'failed', errorDetails: 'Processing failed' });
    expect(JSON.stringify(failed.body.history)).not.toMatch(/base64|secret-path/);
    const { job, events } = await getJobWithEvents(t.db, res.body.id);
    expect(job.lastError).toMatch(/secret-path\.bin: contentBase64 is not valid base64/);
    expect(events.at(-1)?.message).toMatch(/not valid base64/);
    expectAllowedSteps(failed.body.history);
  });
});

describe('the reference’s createQueueJob and an outside processor (configured types)', () => {
  it('takes the reference’s own call verbatim, shows its queue in the stats, and passes the processor’s error text to the key holder', async () => {
    expect((await call(statsRoute.GET, 'GET', '/api/queue/stats')).body.database['resume-processing']).toMatchObject({
      queued: { count: 0 },
    });
    const userId = '8d4b8f0e-2a55-4a8b-9d5e-0f3c1a2b3c4d';
    const fileName = 'jane.pdf',
      fileSize = 1234,
      fileHash = 'ab'.repeat(32);
    const uuidv4 = () => crypto.randomUUID();
    // queue.service.ts as the reference calls it (async-operation-queue.md, "Correlation-Based Tracing")
    const res = await create({
      queueName: 'resume-processing',
      jobType: 'extract-resume-content',
      userId,
      entityName: 'extracted_resume_content',
      correlationId: uuidv4(), // Trace across services
      payload: { fileName, fileSize, fileHash },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      queueName: 'resume-processing',
      jobType: 'extract-resume-content',
      status: 'queued',
      entityName: 'extracted_resume_content',
      entityId: null,
      userId,
    });
    // The processor: processing, then a failure in its own words
    expect((await patch(res.body.id, { status: 'processing' })).body).toMatchObject({ status: 'processing' });
    const retrying = await patch(res.body.id, { status: 'retrying', error: 'OCR engine timed out on page 3' });
    expect(retrying.body).toMatchObject({ status: 'retrying', errorDetails: 'OCR engine timed out on page 3' });
    await patch(res.body.id, { status: 'processing' });
    const failed = await patch(res.body.id, { status: 'failed', error: 'PDF is encrypted' });
    expect(failed.body).toMatchObject({ status: 'failed', errorDetails: 'PDF is encrypted' });
    const read = (await get(res.body.id)).body;
    expect(read.history.filter((h: { error?: string }) => h.error).map((h: { error: string }) => h.error)).toEqual([
      'OCR engine timed out on page 3',
      'PDF is encrypted',
    ]);
    const stats = (await call(statsRoute.GET, 'GET', '/api/queue/stats')).body;
    expect(stats.database['resume-processing']).toMatchObject({ failed: { count: 1 } });
  });

  it('makes each other workload’s jobs only through its own routes, and says where a PATCH belongs', async () => {
    for (const type of ['pipeline.app', 'profile.process', 'sync.platform']) {
      const res = await create({ type, payload: {} });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/own workload's routes/);
    }
    const { addApp } = await import('@/lib/pipeline/add');
    const app = (await addApp(t.db, getJobTypes(), { appId: 'com.example.audit', now: new Date() })) as {
      job_id: string;
    };
    const res = await patch(app.job_id, { status: 'processing' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatch(/another workload/);
    expect(res.body.error).not.toMatch(/worked in the app/);
  });
});

describe("the reference's transition table", () => {
  it('lets an outside processor walk queued → processing → retrying → processing → completed', async () => {
    const { body } = await create({ type: 'document.review', payload: { doc: 'd1' }, maxAttempts: 3 });
    expect((await patch(body.id, { status: 'completed' })).status).toBe(409);
    expect((await patch(body.id, { status: 'retrying' })).status).toBe(409);
    expect((await patch(body.id, { status: 'processing' })).body).toMatchObject({ status: 'processing', attempts: 1 });
    const retrying = await patch(body.id, { status: 'retrying', error: 'upstream 502 at 10.0.0.7' });
    // the processor's own words go back to the key holder who sent them
    expect(retrying.body).toMatchObject({ status: 'retrying', errorDetails: 'upstream 502 at 10.0.0.7' });
    const refused = await patch(body.id, { status: 'completed' });
    expect(refused.status).toBe(409);
    expect(refused.body.details.allowed).toEqual(['processing', 'failed']);
    expect((await patch(body.id, { status: 'processing' })).body).toMatchObject({ status: 'processing', attempts: 2 });
    const done = await patch(body.id, { status: 'completed', result: { verdict: 'ok' } });
    expect(done.body).toMatchObject({ status: 'completed', result: { verdict: 'ok' } });
    expect((await patch(body.id, { status: 'processing' })).status).toBe(409);
    const { body: full } = await get(body.id);
    expect(full.history.map((h: { status: string }) => h.status)).toEqual([
      'processing',
      'retrying',
      'processing',
      'completed',
    ]);
    expectAllowedSteps(full.history);
  });

  it('ends in failed from processing or from retrying, and failed is final', async () => {
    const a = (await create({ type: 'document.review', payload: {} })).body;
    await patch(a.id, { status: 'processing' });
    expect((await patch(a.id, { status: 'failed', error: 'bad scan' })).body).toMatchObject({
      status: 'failed',
      errorDetails: 'bad scan',
    });
    expect((await patch(a.id, { status: 'processing' })).status).toBe(409);

    const b = (await create({ type: 'document.review', payload: {}, maxAttempts: 1 })).body;
    await patch(b.id, { status: 'processing' });
    // with no attempts left, a retry request ends the job: processing → failed is in the table
    expect((await patch(b.id, { status: 'retrying' })).body).toMatchObject({ status: 'failed' });

    const c = (await create({ type: 'document.review', payload: {} })).body;
    await patch(c.id, { status: 'processing' });
    await patch(c.id, { status: 'retrying' });
    expect((await patch(c.id, { status: 'failed' })).body).toMatchObject({ status: 'failed' });
    expectAllowedSteps((await get(c.id)).body.history);
  });

  it('does not let a client set the status of a job the app works itself', async () => {
    const { body } = await create({ type: 'document.extract', payload: { fileName: 'x.txt', text: 'hello' } });
    expect((await patch(body.id, { status: 'processing' })).status).toBe(409);
    await runJobsQueue();
  });
});

describe('auth and input', () => {
  it('rejects a missing or wrong key with 401 JSON on every route', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    for (const key of [null, 'wrong-key-123']) {
      const answers = await Promise.all([
        create({ type: 'document.review', payload: {} }, key),
        call(jobsRoute.GET, 'GET', '/api/jobs?correlationId=x', { key }),
        call(jobRoute.GET, 'GET', `/api/jobs/${id}`, { key, params: { id } }),
        call(jobRoute.PATCH, 'PATCH', `/api/jobs/${id}`, { key, body: { status: 'processing' }, params: { id } }),
        call(statsRoute.GET, 'GET', '/api/queue/stats', { key }),
      ]);
      for (const res of answers) {
        expect(res.status).toBe(401);
        expect(res.body.error).toEqual(expect.any(String));
      }
    }
  });

  it('accepts a signed-in dashboard session instead of the key', async () => {
    const cookie = `${SESSION_COOKIE}=${createSessionToken(sessionKey({ password: PASSWORD }))}`;
    const res = await call(statsRoute.GET, 'GET', '/api/queue/stats', { key: null, headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.body.database.jobs).toBeDefined();
  });

  it('rejects bad input with 400 JSON and writes nothing', async () => {
    const before = (await trace('correlationId=never-used')).body.items.length;
    const bad = [
      await create({ type: 'no.such.type', payload: {} }),
      await create({ payload: {} }),
      await create({ type: 'document.review', priority: 'urgent' }),
      await create({ type: 'document.review', maxAttempts: 0 }),
      await create({ type: 'document.review', userId: 'bob' }),
      await create({ type: 'document.review', entityId: 'r-1' }),
      await create({ type: 'pipeline.app', payload: { app_id: 'com.example' } }),
      await create({ type: 'profile.process', payload: { username: 'x', source: 'manual', requestId: 'r' } }),
      await create({ type: 'sync.platform', payload: {} }),
      await create({ type: 'document.review', queueName: 'sync' }),
      await create({ type: 'document.review', bogus: true }),
      await create({ type: 'document.extract', payload: { fileName: 'x' }, correlationId: 'never-used' }),
      await create('{"type":'),
      await trace(''),
      await trace('entityName=resume'),
      await trace('correlationId=x&limit=1000'),
      await get('not-a-uuid'),
      await patch('00000000-0000-4000-8000-000000000000', { status: 'queued' }),
    ];
    for (const res of bad) {
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual(expect.any(String));
    }
    expect((await trace('correlationId=never-used')).body.items.length).toBe(before);
    // an invalid payload (checked by the job type's schema) answers the same details shape as any 400
    const payload = await create({ type: 'document.extract', payload: { fileName: 'x' } });
    expect(payload.body.details.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: expect.any(String), message: expect.any(String) })]),
    );
    expect((await get('00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});
