import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipelineWorker } from '@/lib/pipeline/worker';
import { summarize } from '@/lib/pipeline/sentiment';
import { fakeReviews, startFakeReviews } from '@/scripts/fake-reviews';
import { getJob } from '@/lib/queue';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { TEST_API_KEY, closeAppDb, useAppEnv } from '../helpers/route-call';
import { APP_ORIGIN, routeFetch } from '../helpers/pipeline-router';

let t: TestDb;
let reviews: Awaited<ReturnType<typeof startFakeReviews>>;
let spoolDir: string;
beforeAll(async () => {
  t = await createTestDb();
  useAppEnv(t);
  reviews = await startFakeReviews();
  spoolDir = mkdtempSync(path.join(tmpdir(), 'steady-spool-'));
});
afterAll(async () => {
  await reviews.close();
  rmSync(spoolDir, { recursive: true, force: true });
  await closeAppDb();
  await t.close();
});

const api = async (method: string, route: string, body?: unknown) => {
  const res = await routeFetch(`${APP_ORIGIN}${route}`, {
    method,
    headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
};

describe('two scrapers and one NLP worker at once', () => {
  it('takes every app from add to done exactly once, and reports the store’s 404 as an error', async () => {
    const apps = [...Array.from({ length: 24 }, (_, i) => `com.flow.app${i}`), 'com.flow.flaky', 'com.flow.missing'];
    // the store fails once for the flaky app: the scraper's retry absorbs it
    reviews.control.apply({
      addFaults: [
        {
          platform: 'reviews',
          handle: 'com.flow.flaky',
          mode: 'error',
          status: 503,
          times: 1,
          retryAfterSec: 0,
          delayMs: 0,
        },
      ],
    });
    const jobIds = new Map<string, string>();
    for (const app of apps) {
      const res = await api('POST', '/queue/add', { app_id: app });
      expect(res.body.status).toBe('queued');
      jobIds.set(app, res.body.job_id);
    }
    const common = {
      baseUrl: APP_ORIGIN,
      apiKey: TEST_API_KEY,
      reviewsUrl: reviews.url,
      spoolDir,
      fetch: routeFetch,
      untilDrained: true,
      idleDelayMs: 20,
    };
    const [s1, s2, nlp] = await Promise.all([
      runPipelineWorker({ ...common, role: 'scraper', name: 'scraper-1' }),
      runPipelineWorker({ ...common, role: 'scraper', name: 'scraper-2' }),
      runPipelineWorker({ ...common, role: 'nlp', name: 'nlp-1' }),
    ]);

    const scraped = [...s1.processed, ...s2.processed];
    expect(scraped.sort()).toEqual(apps.filter((a) => !a.includes('missing')).sort());
    expect([...s1.errors, ...s2.errors].map((e) => e.appId)).toEqual(['com.flow.missing']);
    expect(nlp.processed.sort()).toEqual(scraped.sort());
    expect(nlp.errors).toEqual([]);

    for (const app of apps) {
      const st = await api('GET', `/queue/status/${app}`);
      if (app.includes('missing')) {
        expect(st.body).toMatchObject({ status: 'error', stage: 'scraper' });
        expect(st.body.error_message).toMatch(/404/);
        continue;
      }
      expect(st.body).toMatchObject({ status: 'completed', stage: 'done' });
      const job = await getJob(t.db, jobIds.get(app)!);
      expect(job?.result).toEqual(summarize(fakeReviews(app)));
      const hist = await api('GET', `/queue/${jobIds.get(app)}/history`);
      expect(hist.body.map((h: { stage: string; status: string }) => `${h.stage}:${h.status}`)).toEqual([
        'scraper:queued',
        'scraper:processing',
        'nlp:queued',
        'nlp:processing',
        'done:completed',
      ]);
    }
    expect(reviews.control.count('reviews', 'com.flow.flaky')).toBeGreaterThan(1);
    const overview = await api('GET', '/queue/overview');
    expect(overview.body.active_jobs).toEqual([]);
    expect(overview.body.done_jobs_today).toBe(25);
    expect((await api('POST', '/queue/add', { app_id: 'com.flow.app3' })).body).toEqual({
      status: 'exists',
      message: 'Already done',
    });
  });
});
