import { describe, expect, it } from 'vitest';
import { TRANSITIONS, assertTransition, canTransition, isFinal, sourcesOf } from '@/lib/queue/transitions';
import { JOB_STATUSES, QueueError } from '@/lib/queue/types';

describe('transition table', () => {
  it('lets a job run, finish, retry and be cancelled', () => {
    expect(canTransition('pending', 'processing')).toBe(true);
    expect(canTransition('processing', 'completed')).toBe(true);
    expect(canTransition('processing', 'pending')).toBe(true);
    expect(canTransition('failed', 'pending')).toBe(true);
    expect(canTransition('paused', 'pending')).toBe(true);
  });

  it('never leaves completed', () => {
    for (const to of JOB_STATUSES) expect(canTransition('completed', to)).toBe(false);
  });

  it('forbids skipping processing', () => {
    expect(canTransition('pending', 'completed')).toBe(false);
    expect(canTransition('pending', 'failed')).toBe(false);
    expect(canTransition('paused', 'processing')).toBe(false);
  });

  it('throws invalid_transition with both ends', () => {
    try {
      assertTransition('completed', 'pending');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(QueueError);
      expect((err as QueueError).code).toBe('invalid_transition');
      expect((err as QueueError).details).toEqual({ from: 'completed', to: 'pending' });
    }
  });

  it('derives the sources of each target from the table', () => {
    expect(sourcesOf('processing')).toEqual(['pending']);
    expect(sourcesOf('cancelled').sort()).toEqual(['paused', 'pending', 'processing']);
    for (const to of JOB_STATUSES) {
      for (const from of sourcesOf(to)) expect(TRANSITIONS[from]).toContain(to);
    }
  });

  it('knows the final states', () => {
    expect(JOB_STATUSES.filter(isFinal)).toEqual(['completed', 'failed', 'cancelled']);
  });
});
