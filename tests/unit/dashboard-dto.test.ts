import { describe, expect, it } from 'vitest';
import { toJobDto, toJobSummaryDto } from '@/lib/dashboard/dto';
import { DETAIL_ONLY_FIELDS } from '@/lib/dashboard/client/types';
import { JOB_FIELDS, type Job } from '@/lib/queue';

const at = new Date('2027-03-14T07:30:00.123Z');
const job: Job = {
  id: '0190c1d2-0000-7000-8000-000000000001',
  queue: 'sync',
  type: 'sync.github',
  payload: { userId: 'u' },
  result: null,
  status: 'processing',
  stage: null,
  progress: 'page 2',
  priority: 10,
  runAt: at,
  attempts: 1,
  maxAttempts: 3,
  deferrals: 0,
  lockedBy: 'w1',
  lockedUntil: at,
  lastError: null,
  failedProviders: [],
  dedupKey: null,
  correlationId: null,
  userId: null,
  entityType: null,
  entityId: null,
  metadata: { a: 1 },
  createdAt: at,
  updatedAt: at,
  startedAt: at,
  completedAt: null,
  durationMs: null,
  limitKey: 'github',
  ownerKey: 'user:u',
};

describe('the job as the dashboard API sends it', () => {
  it('carries every column of the row, each date as an ISO string', () => {
    const dto = toJobDto(job);
    expect(Object.keys(dto).sort()).toEqual([...JOB_FIELDS].sort());
    expect(dto.runAt).toBe('2027-03-14T07:30:00.123Z');
    expect(dto.lockedUntil).toBe('2027-03-14T07:30:00.123Z');
    expect(dto.completedAt).toBeNull();
    expect(dto.payload).toEqual({ userId: 'u' });
  });

  it('leaves the detail-only fields out of list rows, and nothing else', () => {
    const summary = toJobSummaryDto(job);
    for (const f of DETAIL_ONLY_FIELDS) expect(summary).not.toHaveProperty(f);
    expect(Object.keys(summary).length).toBe(JOB_FIELDS.length - DETAIL_ONLY_FIELDS.length);
    expect(summary.startedAt).toBe('2027-03-14T07:30:00.123Z');
  });
});
