import { describe, expect, it } from 'vitest';
import { summarizeTasks } from '@/lib/dashboard/client/task-progress';
import type { TaskStatusDto } from '@/lib/dashboard/client/types';
import { task } from '../helpers/task-status';

const byId = (...tasks: TaskStatusDto[]) => Object.fromEntries(tasks.map((t) => [t.id, t]));
const states = (p: ReturnType<typeof summarizeTasks>) => p.steps.map((s) => `${s.key}:${s.state}`);

describe('summarizeTasks', () => {
  it('is waiting to start as soon as the jobs exist, before any status is known', () => {
    const p = summarizeTasks(['a'], {});
    expect(p.phase).toBe('queued');
    expect(states(p)).toEqual(['added:done', 'waiting:current', 'processing:upcoming', 'finished:upcoming']);
    expect(p.countLabel).toBeNull();
    expect(p.final).toBe(false);
  });

  it('walks the four steps for one job', () => {
    expect(states(summarizeTasks(['a'], byId(task('a', 'pending'))))).toEqual([
      'added:done',
      'waiting:current',
      'processing:upcoming',
      'finished:upcoming',
    ]);
    expect(states(summarizeTasks(['a'], byId(task('a', 'processing'))))).toEqual([
      'added:done',
      'waiting:done',
      'processing:current',
      'finished:upcoming',
    ]);
    const done = summarizeTasks(['a'], byId(task('a', 'completed')));
    expect(done.phase).toBe('completed');
    expect(states(done)).toEqual(['added:done', 'waiting:done', 'processing:done', 'finished:done']);
    expect(done.steps[3].label).toBe('Completed');
    expect(done.final).toBe(true);
  });

  it('counts several jobs as "n of m done" and is processing while any runs', () => {
    const p = summarizeTasks(
      ['a', 'b', 'c', 'd'],
      byId(task('a', 'completed'), task('b', 'completed'), task('c', 'processing'), task('d', 'pending')),
    );
    expect(p.phase).toBe('processing');
    expect(p.countLabel).toBe('2 of 4 done');
  });

  it('fails the group when any job failed, naming the failure and linking to it', () => {
    const p = summarizeTasks(
      ['a', 'b'],
      byId(task('a', 'completed'), task('b', 'failed', { lastError: 'GitHub has no user (404 Not Found)' })),
    );
    expect(p.phase).toBe('failed');
    expect(p.countLabel).toBe('2 of 2 done, 1 failed');
    expect(p.steps[3]).toMatchObject({ label: 'Failed', state: 'failed' });
    expect(p.failed.map((f) => f.id)).toEqual(['b']);
    expect(p.focusId).toBe('b');
  });

  it('stays unfinished while a failed attempt waits to be retried, and says why', () => {
    const p = summarizeTasks(['a'], byId(task('a', 'pending', { attempts: 1, lastError: 'timeout' })));
    expect(p.phase).toBe('waiting');
    expect(p.note).toBe('Retrying after: timeout (attempt 1 of 3)');
  });

  it('explains a wait caused by a paused queue', () => {
    const p = summarizeTasks(['a'], byId(task('a', 'pending')), { pausedQueues: new Set(['sync']) });
    expect(p.note).toBe('Queue sync is paused; resume it to start');
  });

  it('treats jobs removed by cleanup as done, and all-cancelled as cancelled', () => {
    expect(summarizeTasks(['a'], {}, { missing: new Set(['a']) }).phase).toBe('completed');
    expect(summarizeTasks(['a', 'b'], byId(task('a', 'cancelled'), task('b', 'cancelled'))).phase).toBe('cancelled');
  });
});
