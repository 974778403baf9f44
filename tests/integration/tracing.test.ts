/**
 * OpenTelemetry through @opentelemetry/api: with no SDK registered nothing is recorded or stored and
 * everything works; with one (an in-memory exporter), a request that enqueues, the run of its job and the
 * run's platform call are spans of one trace with the messaging attributes, and a retry is a new trace
 * linked to the enqueue.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import * as userSync from '@/app/api/users/[id]/sync/route';
import { defineJobType, enqueueJob, getJob, runBatch, type JobTypes } from '@/lib/queue';
import { createSyncJobTypes } from '@/lib/sync/job-types';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { closeAppDb, createUsers, request, startFakePlatforms, testEnv } from './sync-harness';
import type { FakePlatforms } from '@/scripts/fake-platforms';

const SECRET = 'tracing-test-cron-secret';
let t: TestDb;
let fake: FakePlatforms;
let userId: string;
let syncTypes: JobTypes;
beforeAll(async () => {
  fake = await startFakePlatforms({ port: 0, faults: [] });
  t = await createTestDb();
  Object.assign(process.env, {
    DATABASE_URL: t.url,
    CRON_SECRET: SECRET,
    PLATFORM_TIMEOUT_MS: '3000',
    ...fake.baseUrls,
  });
  ({ ada: userId } = await createUsers(t.db, [{ username: 'ada', connections: { github: 'ada-l' } }]));
  syncTypes = createSyncJobTypes(testEnv(fake, t.url));
});
afterAll(async () => {
  trace.disable();
  context.disable();
  await closeAppDb();
  await t.close();
  await fake.close();
});
beforeEach(async () => {
  await t.db.execute(sql`delete from jobs; delete from job_events`);
});

const syncUser = (date: string) =>
  userSync.POST(
    request('POST', `/api/users/${userId}/sync`, { token: SECRET, body: { date, platforms: ['github'] } }),
    {
      params: Promise.resolve({ id: userId }),
    },
  );

let failures = 0;
const retryTypes: JobTypes = {
  'trace.flaky': defineJobType({
    queue: 'traced',
    payloadSchema: z.object({}),
    maxAttempts: 3,
    handle: async () => {
      if (failures-- > 0) throw new Error('not yet');
      return { ok: true };
    },
  }),
};

describe('without an SDK', () => {
  it('records nothing, stores no traceparent, and enqueue and run work as before', async () => {
    expect(trace.getSpan(context.active())).toBeUndefined();
    const res = await syncUser('2030-01-02');
    expect(res.status).toBe(201);
    const summary = await runBatch(t.db, syncTypes, { limit: 10 });
    expect(summary.counts.completed).toBe(1);
    const [job] = await t.db.execute(sql`select metadata from jobs`);
    expect(job.metadata).toEqual({});
    // A span started through the API here is the no-op kind.
    expect(trace.getTracer('x').startSpan('probe').isRecording()).toBe(false);
  });
});

describe('with an SDK and an in-memory exporter', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });
  beforeEach(() => exporter.reset());

  const spans = () => exporter.getFinishedSpans();
  const one = (pred: (s: ReadableSpan) => boolean, what: string) => {
    const found = spans().filter(pred);
    expect(
      found.map((s) => s.name),
      what,
    ).toHaveLength(1);
    return found[0];
  };

  it('a request that enqueues, the run of its job and its platform call are one trace', async () => {
    // The request's own span, as Next's instrumentation would start it.
    const tracer = trace.getTracer('test');
    const res = await tracer.startActiveSpan('POST /api/users/[id]/sync', async (span) => {
      try {
        return await syncUser('2030-01-03');
      } finally {
        span.end();
      }
    });
    expect(res.status).toBe(201);
    const [job] = await t.db.execute<{ id: string; metadata: Record<string, unknown> }>(
      sql`select id::text, metadata from jobs`,
    );

    const requestSpan = one((s) => s.name === 'POST /api/users/[id]/sync', 'request span');
    const send = one((s) => s.kind === SpanKind.PRODUCER, 'enqueue span');
    expect(send.name).toBe('send sync');
    expect(send.spanContext().traceId).toBe(requestSpan.spanContext().traceId);
    expect(send.parentSpanContext?.spanId).toBe(requestSpan.spanContext().spanId);
    expect(send.attributes).toMatchObject({
      'messaging.system': 'steady',
      'messaging.destination.name': 'sync',
      'messaging.operation.type': 'send',
      'messaging.message.id': job.id,
    });
    // The job carries the enqueue span's W3C traceparent.
    const sc = send.spanContext();
    expect(job.metadata.traceparent).toBe(`00-${sc.traceId}-${sc.spanId}-01`);

    exporter.reset();
    const summary = await runBatch(t.db, syncTypes, { limit: 10 });
    expect(summary.counts.completed).toBe(1);
    const run = one((s) => s.kind === SpanKind.CONSUMER, 'run span');
    expect(run.name).toBe('process sync');
    // The first attempt is a child of the enqueue span, in the request's trace.
    expect(run.spanContext().traceId).toBe(sc.traceId);
    expect(run.parentSpanContext?.spanId).toBe(sc.spanId);
    expect(run.attributes).toMatchObject({
      'messaging.system': 'steady',
      'messaging.destination.name': 'sync',
      'messaging.operation.type': 'process',
      'messaging.message.id': job.id,
      'steady.job.type': 'sync.platform',
      'steady.job.attempt': 1,
      'steady.job.outcome': 'completed',
    });
    // The handler's call to the platform is the run's child, without the URL's query.
    const http = spans().filter((s) => s.kind === SpanKind.CLIENT);
    expect(http.length).toBeGreaterThan(0);
    for (const h of http) {
      expect(h.name).toBe('GET');
      expect(h.parentSpanContext?.spanId).toBe(run.spanContext().spanId);
      expect(h.attributes).toMatchObject({
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'steady.platform': 'github',
      });
      expect(String(h.attributes['url.full'])).not.toContain('?');
    }
  });

  it('a retry is a new trace linked to the enqueue; a failure for good is an error span', async () => {
    failures = 5;
    const t0 = new Date();
    const { job } = await enqueueJob(t.db, retryTypes, { type: 'trace.flaky', payload: {} }, { now: t0 });
    const send = one((s) => s.kind === SpanKind.PRODUCER, 'enqueue span');
    expect(send.attributes['messaging.destination.name']).toBe('traced');
    const at = (ms: number) => () => new Date(t0.getTime() + ms);
    for (const [i, ms] of [0, 3_600_000, 7_200_000].entries()) {
      const s = await runBatch(t.db, retryTypes, { limit: 1, clock: at(ms) });
      expect(s.claimed, `attempt ${i + 1}`).toBe(1);
    }
    expect((await getJob(t.db, job.id))?.status).toBe('failed');
    const runs = spans()
      .filter((s) => s.kind === SpanKind.CONSUMER)
      .sort((a, b) => Number(a.attributes['steady.job.attempt']) - Number(b.attributes['steady.job.attempt']));
    expect(runs.map((r) => [r.attributes['steady.job.attempt'], r.attributes['steady.job.outcome']])).toEqual([
      [1, 'retrying'],
      [2, 'retrying'],
      [3, 'failed'],
    ]);
    expect(runs[0].parentSpanContext?.spanId).toBe(send.spanContext().spanId);
    for (const later of runs.slice(1)) {
      expect(later.spanContext().traceId).not.toBe(send.spanContext().traceId);
      expect(later.parentSpanContext).toBeUndefined();
      expect(later.links.map((l) => l.context.spanId)).toEqual([send.spanContext().spanId]);
    }
    expect(runs[0].status.code).not.toBe(SpanStatusCode.ERROR);
    expect(runs[2].status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'not yet' });
  });
});
