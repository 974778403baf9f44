import { describe, expect, it } from 'vitest';
import {
  INITIAL_ACTIVITY,
  MAX_TASK_TOASTS,
  activeJobIds,
  activityReducer,
  planToast,
  pollNote,
  progressOf,
  toastSignature,
  toastView,
  type ActivityAction,
  type ActivityState,
} from '@/lib/dashboard/client/queue-activity';
import type { TrackedGroup } from '@/lib/dashboard/client/tracked-groups';
import { task } from '../helpers/task-status';

const group = (id: string, jobIds: string[], createdAt = 1): TrackedGroup => ({
  id,
  title: `Sync ${id}`,
  jobIds,
  createdAt,
});
const track = (g: TrackedGroup): ActivityAction => ({ type: 'tracked', group: g });
const run = (...actions: ActivityAction[]) => actions.reduce(activityReducer, INITIAL_ACTIVITY);
const phaseOf = (s: ActivityState, id: string) => progressOf(s)[id].phase;

describe('activityReducer', () => {
  it('restoring nothing keeps the very same state, so the context value does not change under a hydrating page', () => {
    expect(activityReducer(INITIAL_ACTIVITY, { type: 'restored', groups: [] })).toBe(INITIAL_ACTIVITY);
  });

  it('restores the stored groups, unless something is tracked already', () => {
    const stored = [group('old', ['a'])];
    expect(run({ type: 'restored', groups: stored }).groups).toEqual(stored);
    const tracking = run(track(group('new', ['b'])));
    expect(activityReducer(tracking, { type: 'restored', groups: stored })).toBe(tracking);
  });

  it('follows a group from queued through processing to completed as polls answer', () => {
    let s = run(track(group('g', ['a', 'b'])));
    expect(phaseOf(s, 'g')).toBe('queued');
    s = activityReducer(s, { type: 'polled', tasks: [task('a', 'processing'), task('b', 'pending')], missing: [] });
    expect(phaseOf(s, 'g')).toBe('processing');
    s = activityReducer(s, { type: 'polled', tasks: [task('a', 'completed'), task('b', 'completed')], missing: [] });
    expect(progressOf(s).g).toMatchObject({ phase: 'completed', final: true });
  });

  it('reads a job the poll no longer finds (deleted by cleanup) as done, and keeps every missing id', () => {
    let s = run(track(group('g', ['a', 'b'])), { type: 'polled', tasks: [task('b', 'completed')], missing: ['a'] });
    expect(phaseOf(s, 'g')).toBe('completed');
    const before = s.missing;
    s = activityReducer(s, { type: 'polled', tasks: [], missing: [] });
    expect(s.missing).toBe(before);
    expect([...s.missing]).toEqual(['a']);
  });

  it('a retried group follows the new run: its jobs’ previous Failed status is dropped, not read as final', () => {
    let s = run(track(group('g', ['a'])), {
      type: 'polled',
      tasks: [task('a', 'failed', { lastError: 'boom' })],
      missing: [],
    });
    expect(phaseOf(s, 'g')).toBe('failed');
    s = activityReducer(s, track(group('g', ['a'], 2)));
    expect(s.statuses.a).toBeUndefined();
    expect(progressOf(s).g).toMatchObject({ phase: 'queued', final: false });
    expect(s.groups.map((g) => g.id)).toEqual(['g']);
  });

  it('draws the package’s status until the first poll answers (seeded), then the poll wins', () => {
    let s = run({ type: 'tracked', group: group('t', ['t'], Date.UTC(2026, 0, 1)), seeded: 'processing' });
    expect(phaseOf(s, 't')).toBe('processing');
    expect(s.statuses.t.updatedAt).toBe('2026-01-01T00:00:00.000Z');
    s = activityReducer(s, { type: 'polled', tasks: [task('t', 'completed')], missing: [] });
    expect(phaseOf(s, 't')).toBe('completed');
  });

  it(`keeps at most ${MAX_TASK_TOASTS} toasts: the oldest finished one makes room first, else the oldest`, () => {
    const four = run(...[1, 2, 3, 4].map((n) => track(group(`g${n}`, [`j${n}`]))));
    const busy = activityReducer(four, {
      type: 'polled',
      tasks: [task('j1', 'processing'), task('j2', 'pending')],
      missing: [],
    });
    const ids = (s: ActivityState) => s.groups.map((g) => g.id);
    // g3's job failed and g4's was deleted by cleanup: both final, and g3 is the older.
    const settled = activityReducer(busy, { type: 'polled', tasks: [task('j3', 'failed')], missing: ['j4'] });
    expect(ids(activityReducer(settled, track(group('g5', ['j5']))))).toEqual(['g1', 'g2', 'g4', 'g5']);
    expect(ids(activityReducer(busy, track(group('g5', ['j5']))))).toEqual(['g2', 'g3', 'g4', 'g5']);
  });

  it('removes a group once, and removing an unknown one changes nothing', () => {
    const s = run(track(group('a', ['x'])), track(group('b', ['y'])));
    expect(activityReducer(s, { type: 'removed', id: 'a' }).groups.map((g) => g.id)).toEqual(['b']);
    expect(activityReducer(s, { type: 'removed', id: 'zz' })).toBe(s);
  });

  it('never changes the state it was given', () => {
    const s = run(track(group('g', ['a'])), { type: 'polled', tasks: [task('a', 'failed')], missing: ['b'] });
    const snapshot = structuredClone({ groups: s.groups, statuses: s.statuses, missing: [...s.missing] });
    activityReducer(s, track(group('g', ['a'], 2)));
    activityReducer(s, { type: 'polled', tasks: [task('a', 'pending')], missing: ['c'] });
    activityReducer(s, { type: 'removed', id: 'g' });
    expect({ groups: s.groups, statuses: s.statuses, missing: [...s.missing] }).toEqual(snapshot);
  });
});

describe('planToast', () => {
  it('follows the listed jobs under the given title and id', () => {
    const p = planToast([], { id: 'sync-1', title: 'Sync alice', jobIds: ['a', 'b', 'a'] }, 5);
    expect(p).toEqual({
      group: { id: 'sync-1', title: 'Sync alice', jobIds: ['a', 'b'], createdAt: 5 },
      seeded: undefined,
      repeat: false,
    });
  });

  it('the package’s { id, status, data } follows the task whose id it is, named from its data', () => {
    const p = planToast([], { id: 'job-1', status: 'PROCESSING', data: { title: 'Review doc' } }, 5);
    expect(p.group).toMatchObject({ id: 'job-1', title: 'Review doc', jobIds: ['job-1'] });
    expect(p.seeded).toBe('processing');
    expect(planToast([], { id: 'job-2', data: { type: 'document.review' } }, 5).group.title).toBe('document.review');
    expect(planToast([], { id: 'job-3' }, 5).group.title).toBe('Task');
  });

  it('marks the package’s call repeated for a task already shown as a repeat, so its effect can settle', () => {
    const shown = [group('job-1', ['job-1'])];
    expect(planToast(shown, { id: 'job-1', status: 'PROCESSING' }, 9).repeat).toBe(true);
    // An action that restarts the same jobs (Retry) is not a repeat: the toast follows the new run.
    expect(planToast(shown, { id: 'job-1', jobIds: ['job-1'] }, 9).repeat).toBe(false);
  });

  it('makes a fresh id when none is given', () => {
    const a = planToast([], { jobIds: ['x'] }, 1).group.id;
    const b = planToast([], { jobIds: ['x'] }, 1).group.id;
    expect(a).toMatch(/^task-/);
    expect(a).not.toBe(b);
  });
});

describe('derived views', () => {
  it('polls only the jobs of unfinished toasts, each once', () => {
    const s = run(track(group('done', ['a'])), track(group('busy', ['b', 'c'])), track(group('also', ['c'])), {
      type: 'polled',
      tasks: [task('a', 'completed'), task('b', 'processing')],
      missing: [],
    });
    const progress = progressOf(s);
    expect(activeJobIds(s.groups, progress)).toEqual(['b', 'c']);
  });

  it('a poll that cannot run or fails says so in unfinished toasts only; a good answer takes the note away', () => {
    const s = run(track(group('waiting', ['a'])), track(group('done', ['b'])), {
      type: 'polled',
      tasks: [task('b', 'completed')],
      missing: [],
    });
    const progress = progressOf(s);
    const offline = pollNote({ fetchStatus: 'paused', error: null });
    expect(offline).toMatch(/^Offline/);
    expect(toastView(progress.waiting, offline).note).toBe(offline);
    expect(toastView(progress.done, offline).note).toBeNull();
    const failed = pollNote({ fetchStatus: 'idle', error: new Error('HTTP 502') });
    expect(failed).toBe('Could not check on the jobs: HTTP 502');
    const ok = pollNote({ fetchStatus: 'fetching', error: null });
    expect(ok).toBeNull();
    expect(toastView(progress.waiting, ok)).toBe(progress.waiting);
    // The note is part of what is drawn, so its arrival and its departure both redraw the toast.
    expect(toastSignature(toastView(progress.waiting, offline))).not.toBe(toastSignature(progress.waiting));
  });

  it('the signature follows what a person sees: phase, count, note and errors', () => {
    const s1 = run(track(group('g', ['a', 'b'])), {
      type: 'polled',
      tasks: [task('a', 'failed', { lastError: 'one' })],
      missing: [],
    });
    const s2 = activityReducer(s1, { type: 'polled', tasks: [task('a', 'failed', { lastError: 'two' })], missing: [] });
    const s3 = activityReducer(s2, {
      type: 'polled',
      tasks: [task('a', 'failed', { lastError: 'two', updatedAt: '2026-01-02T00:00:00.000Z' })],
      missing: [],
    });
    const sig = (s: ActivityState) => toastSignature(progressOf(s).g);
    expect(sig(s2)).not.toBe(sig(s1));
    expect(sig(s3)).toBe(sig(s2));
  });
});
