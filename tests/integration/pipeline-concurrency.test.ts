import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueJobs } from '@/lib/queue';
import { getJobTypes } from '@/lib/job-types';
import { dedupKeyFor } from '@/lib/pipeline/add';
import { PIPELINE_TYPE } from '@/lib/pipeline/vocabulary';
import * as pollRoute from '@/app/queue/poll/route';
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

describe('concurrent polls', () => {
  it('hands each of 200 jobs to exactly one of 5 workers polling at once', async () => {
    const apps = Array.from({ length: 200 }, (_, i) => `com.load.app${i}`);
    await enqueueJobs(
      t.db,
      getJobTypes(),
      apps.map((app_id) => ({
        type: PIPELINE_TYPE,
        payload: { app_id },
        stage: 'scraper',
        dedupKey: dedupKeyFor(app_id),
        entity: { type: 'app', id: app_id },
      })),
    );
    const worker = async (w: number) => {
      const got: string[] = [];
      for (let round = 0; ; round++) {
        const limit = 1 + ((w + round) % 4);
        const res = await call(
          pollRoute.GET,
          'GET',
          `/queue/poll?stage=scraper&status=queued&limit=${limit}&worker=w${w}`,
        );
        expect(res.status).toBe(200);
        if (res.body.length === 0) return got;
        got.push(...res.body.map((j: { app_id: string }) => j.app_id));
      }
    };
    const results = await Promise.all([0, 1, 2, 3, 4].map(worker));
    const all = results.flat();
    expect(all).toHaveLength(200);
    expect(new Set(all).size).toBe(200);
    expect(new Set(all)).toEqual(new Set(apps));
    expect(results.filter((r) => r.length > 0).length).toBeGreaterThan(1);
  });
});
