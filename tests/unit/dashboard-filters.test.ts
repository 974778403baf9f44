import { describe, expect, it } from 'vitest';
import { filtersFromParams, filtersToParams } from '@/lib/dashboard/client/filters';
import { JobListQuery, toEngineFilter } from '@/lib/dashboard/jobs';
import { safeNextPath } from '@/lib/auth/session-cookie';

describe('jobs table filters', () => {
  it('round-trip through the URL', () => {
    const params = new URLSearchParams('status=failed&queue=sync&q=sync:abc&user=0b7c2d55-56e3-4b1c-9d1e-3f1c2a4b5c6d');
    const filters = filtersFromParams(params);
    expect(filters).toEqual({
      status: 'failed',
      queue: 'sync',
      q: 'sync:abc',
      user: '0b7c2d55-56e3-4b1c-9d1e-3f1c2a4b5c6d',
    });
    expect(filtersFromParams(filtersToParams(filters))).toEqual(filters);
  });

  it('drop a bad value from a hand-edited URL and keep the rest', () => {
    expect(filtersFromParams(new URLSearchParams('status=exploded&queue=sync&user=bob'))).toEqual({ queue: 'sync' });
  });

  it('refuse bad input at the API with the field named', () => {
    const r = JobListQuery.safeParse({ status: 'nope', limit: '500' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path[0]).sort()).toEqual(['limit', 'status']);
  });

  it('narrow "everything matching" to the statuses a bulk action can change', () => {
    expect(toEngineFilter({ queue: 'sync' }, ['failed', 'cancelled']).statuses).toEqual(['failed', 'cancelled']);
    expect(toEngineFilter({ status: 'failed' }, ['failed', 'cancelled']).statuses).toEqual(['failed']);
    // Cancelling "all completed" must match nothing, not everything.
    expect(toEngineFilter({ status: 'completed' }, ['pending', 'processing', 'paused']).statuses).toEqual([]);
    expect(toEngineFilter({ status: 'completed' }).statuses).toEqual(['completed']);
  });
});

describe('sign-in return path', () => {
  it('allows same-site paths only', () => {
    expect(safeNextPath('/jobs?status=failed')).toBe('/jobs?status=failed');
    for (const bad of [
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      'jobs',
      '/api/dashboard/stats',
      undefined,
    ]) {
      expect(safeNextPath(bad)).toBe('/');
    }
  });

  it('refuses paths a browser would turn into another host: tabs and newlines are dropped from a Location', () => {
    for (const bad of ['/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example', '/x\\y', '/jobs\u0000']) {
      expect(safeNextPath(bad), JSON.stringify(bad)).toBe('/');
    }
    expect(safeNextPath('/users?tab=privacy#top')).toBe('/users?tab=privacy#top');
  });
});
