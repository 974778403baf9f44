import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as syncAll from '@/app/api/cron/sync-all/route';
import * as processQueueRoute from '@/app/api/cron/process-queue/route';
import * as cleanup from '@/app/api/cron/cleanup/route';
import * as userSync from '@/app/api/users/[id]/sync/route';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { closeAppDb, request } from './sync-harness';

let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
  // A deployment that forgot CRON_SECRET: the cron routes must stay shut, not fall open.
  process.env.DATABASE_URL = t.url;
  delete process.env.CRON_SECRET;
});
afterAll(async () => {
  await closeAppDb();
  await t.close();
});

describe('with CRON_SECRET unset', () => {
  it.each([
    ['sync-all', syncAll],
    ['process-queue', processQueueRoute],
    ['cleanup', cleanup],
  ] as const)('%s answers 503 saying so, to GET and POST, with or without a token', async (name, route) => {
    for (const method of ['GET', 'POST'] as const) {
      for (const token of [undefined, 'anything-at-all', 'undefined']) {
        const res = await route[method](request(method, `/api/cron/${name}`, { token }));
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({
          error: 'CRON_SECRET is not configured on the server, so this route is closed',
        });
      }
    }
  });

  it('the user sync route refuses a bearer it cannot check', async () => {
    const id = '0b9f5a52-3d2c-4c47-9a5f-4f6a0e4b7c11';
    const res = await userSync.POST(request('POST', `/api/users/${id}/sync`, { token: 'anything-at-all' }), {
      params: Promise.resolve({ id }),
    });
    expect(res.status).toBe(503);
  });
});
