import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { claimJobs, defineJobType, getJobWithEvents, PermanentJobError, type JobTypes } from '@/lib/queue';
import { QueueService } from '@/lib/queue-service/service';
import { createTestDb, type TestDb } from '../helpers/test-db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
});

let now = new Date('2030-05-01T09:00:00Z');
const clock = () => now;
const later = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

const behaviour = { flakyFailures: 0, permanent: true, rateLimitOnce: true, release: null as null | (() => void) };
let service: QueueService;

const types: JobTypes = {
  EMAIL_SEND: defineJobType({
    queue: 'default',
    payloadSchema: z.object({ to: z.email(), subject: z.string().default('Hello'), template: z.string() }),
    handle: async ({ payload }) => ({ to: payload.to, body: `[${payload.template}] ${payload.subject}` }),
  }),
  IMAGE_PROCESS: defineJobType({
    queue: 'default',
    payloadSchema: z.object({ imageUrl: z.url(), options: z.object({ format: z.string() }).optional() }),
    handle: async ({ payload }) => {
      if (behaviour.flakyFailures > 0) {
        behaviour.flakyFailures--;
        throw new Error('image host answered 502');
      }
      return { format: payload.options?.format ?? 'jpeg', name: new URL(payload.imageUrl).pathname.split('/').pop() };
    },
  }),
  STRICT: defineJobType({
    queue: 'default',
    payloadSchema: z.object({}),
    handle: async () => {
      if (behaviour.permanent) throw new PermanentJobError('account suspended');
      return { ok: true };
    },
  }),
  LLM_CALL: defineJobType({
    queue: 'default',
    payloadSchema: z.object({ prompt: z.string() }),
    handle: async ({ job, payload }) => {
      if (behaviour.rateLimitOnce) {
        behaviour.rateLimitOnce = false;
        await service.handleRateLimitError(job.id, 'OpenAI', 300);
        return null;
      }
      return { answer: payload.prompt.length };
    },
  }),
  SLOW: defineJobType({
    queue: 'default',
    payloadSchema: z.object({}),
    handle: () =>
      new Promise((resolve) => {
        behaviour.release = () => resolve({ done: true });
      }),
  }),
};

beforeAll(() => {
  service = new QueueService(t.db, types, { clock });
});

describe('QueueService, as queue-package.md uses it', () => {
  it('Quick Start: adds an EMAIL_SEND task and processes it', async () => {
    const task = await service.addToQueue(
      'EMAIL_SEND',
      { to: 'user@example.com', subject: 'Welcome', template: 'welcome-email' },
      { maxAttempts: 3, priority: 1 },
    );
    expect(task).toMatchObject({
      type: 'EMAIL_SEND',
      status: 'PENDING',
      attempts: 0,
      maxAttempts: 3,
      priority: 1,
      failedProviders: [],
    });
    const result = await service.processJob(task.id);
    expect(result).toMatchObject({
      status: 'COMPLETED',
      attempts: 1,
      result: { to: 'user@example.com', body: '[welcome-email] Welcome' },
    });
    expect(result?.processedAt).toEqual(now);
    expect(await service.processJob(task.id)).toBeNull();
  });

  it('adds a scheduled task with a reference, and does not run it before it is due', async () => {
    const task = await service.addToQueue(
      'IMAGE_PROCESS',
      { imageUrl: 'https://example.com/image.jpg' },
      {
        priority: 2,
        maxAttempts: 5,
        scheduledFor: new Date(now.getTime() + 3_600_000),
        reference: { id: 'user-123', type: 'User' },
      },
    );
    expect(task).toMatchObject({
      priority: 2,
      maxAttempts: 5,
      referenceId: 'user-123',
      referenceType: 'User',
      status: 'PENDING',
    });
    expect(task.scheduledFor).toEqual(new Date(now.getTime() + 3_600_000));
    expect(await service.processJob(task.id)).toBeNull();
    later(3_600_000);
    expect(await service.processJob(task.id)).toMatchObject({
      status: 'COMPLETED',
      result: { format: 'jpeg', name: 'image.jpg' },
    });
  });

  it('runs a higher priority first', async () => {
    const low = await service.addToQueue('EMAIL_SEND', { to: 'a@example.com', template: 't' }, { priority: 0 });
    const high = await service.addToQueue('EMAIL_SEND', { to: 'b@example.com', template: 't' }, { priority: 2 });
    const [first, second] = await claimJobs(t.db, {
      workerId: 'w',
      limit: 2,
      leaseMs: 60_000,
      now,
      types: ['EMAIL_SEND'],
    });
    expect([first.id, second.id]).toEqual([high.id, low.id]);
  });

  it('retries with backoff and ends in MAX_RETRIES_REACHED once attempts are used up', async () => {
    behaviour.flakyFailures = 5;
    const task = await service.addToQueue(
      'IMAGE_PROCESS',
      { imageUrl: 'https://example.com/x.png' },
      { maxAttempts: 2 },
    );
    const first = await service.processJob(task.id);
    expect(first).toMatchObject({ status: 'FAILED', attempts: 1, errorMessage: 'image host answered 502' });
    expect(first!.scheduledFor!.getTime()).toBeGreaterThan(now.getTime());
    expect(await service.processJob(task.id)).toBeNull();
    later(10 * 60_000);
    expect(await service.processJob(task.id)).toMatchObject({ status: 'MAX_RETRIES_REACHED', attempts: 2 });
    behaviour.flakyFailures = 0;

    // updateInQueue with status PENDING restarts it with a fresh budget
    const restarted = await service.updateInQueue(task.id, { status: 'PENDING' });
    expect(restarted).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(await service.processJob(task.id)).toMatchObject({ status: 'COMPLETED' });
  });

  it('handles rate limits: a running task gives its attempt back and waits for the provider', async () => {
    const task = await service.addToQueue('LLM_CALL', { prompt: 'hello' });
    const after = await service.processJob(task.id);
    expect(after).toMatchObject({ status: 'PENDING', attempts: 0, failedProviders: ['OpenAI'] });
    expect(after!.scheduledFor).toEqual(new Date(now.getTime() + 300_000));
    expect(await service.processJob(task.id)).toBeNull();
    later(300_000);
    expect(await service.processJob(task.id)).toMatchObject({ status: 'COMPLETED', result: { answer: 5 } });
  });

  it('handles rate limits on a waiting task by moving it later, never earlier', async () => {
    const task = await service.addToQueue(
      'EMAIL_SEND',
      { to: 'c@example.com', template: 't' },
      { scheduledFor: new Date(now.getTime() + 900_000) },
    );
    await service.handleRateLimitError(task.id, 'SendGrid', 60);
    expect((await service.readFromQueue(task.id))!.scheduledFor).toEqual(new Date(now.getTime() + 900_000));
    await service.handleRateLimitError(task.id, 'SendGrid', 1800);
    const read = await service.readFromQueue(task.id);
    expect(read).toMatchObject({ status: 'PENDING', failedProviders: ['SendGrid'] });
    expect(read!.scheduledFor).toEqual(new Date(now.getTime() + 1_800_000));
    // Written to the job's history like every other engine change.
    const { events } = await getJobWithEvents(t.db, task.id);
    expect(events.map((e) => `${e.fromStatus}->${e.toStatus} ${e.message}`)).toEqual([
      'pending->pending Rate limited by SendGrid; retry after 60s',
      'pending->pending Rate limited by SendGrid; retry after 1800s',
    ]);
    await service.deleteFromQueue(task.id);
  });

  it('retryFailedQueueTasks restarts failed tasks that have attempts left and reports what happened', async () => {
    behaviour.permanent = true;
    const task = await service.addToQueue('STRICT', {}, { maxAttempts: 3 });
    expect(await service.processJob(task.id)).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      errorMessage: 'account suspended',
    });
    behaviour.permanent = false;
    const report = await service.retryFailedQueueTasks();
    expect(report).toMatchObject({ success: true, processed: 1, successful: 1, failed: 0 });
    expect(report.results).toEqual([{ id: task.id, type: 'STRICT', status: 'COMPLETED' }]);
    expect(await service.retryFailedQueueTasks()).toMatchObject({ processed: 0 });
    const { events } = await getJobWithEvents(t.db, task.id);
    expect(events.map((e) => `${e.fromStatus}->${e.toStatus}`)).toEqual([
      'pending->processing',
      'processing->failed',
      'failed->pending',
      'pending->processing',
      'processing->completed',
    ]);
  });

  it('knows when a type has tasks processing, and refuses to process or delete a running task', async () => {
    expect(await service.hasProcessingTasks('SLOW')).toBe(false);
    const task = await service.addToQueue('SLOW', {});
    const running = service.processJob(task.id);
    await expect.poll(() => service.hasProcessingTasks('SLOW')).toBe(true);
    expect(await service.processJob(task.id)).toBeNull();
    await expect(service.processJob(task.id, undefined, { skipIfProcessing: false })).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(service.deleteFromQueue(task.id)).rejects.toMatchObject({ code: 'invalid_transition' });
    behaviour.release!();
    expect(await running).toMatchObject({ status: 'COMPLETED', result: { done: true } });
    expect(await service.hasProcessingTasks('SLOW')).toBe(false);
  });

  it('updates a waiting task and refuses to change a finished one', async () => {
    const task = await service.addToQueue('EMAIL_SEND', { to: 'd@example.com', template: 'a' });
    const changed = await service.updateInQueue(task.id, {
      data: { to: 'e@example.com', template: 'b' },
      priority: 3,
      maxAttempts: 7,
    });
    expect(changed).toMatchObject({
      data: { to: 'e@example.com', template: 'b', subject: 'Hello' },
      priority: 3,
      maxAttempts: 7,
    });
    const { events } = await getJobWithEvents(t.db, task.id);
    expect(events.map((e) => `${e.fromStatus}->${e.toStatus} ${e.message}`)).toEqual([
      'pending->pending Updated payload, priority, maxAttempts',
    ]);
    await expect(service.updateInQueue(task.id, { data: { to: 'not-an-email' } as never })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(service.updateInQueue(task.id, { result: 1 } as never)).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(service.updateInQueue(task.id, { status: 'COMPLETED' })).rejects.toMatchObject({
      code: 'invalid_transition',
    });
    await service.processJob(task.id);
    await expect(service.updateInQueue(task.id, { priority: 1 })).rejects.toMatchObject({ code: 'invalid_transition' });
    await service.deleteFromQueue(task.id);
    expect(await service.readFromQueue(task.id)).toBeNull();
    expect(await service.processJob(task.id)).toBeNull();
  });

  it('refuses unknown types and bad data at the edge', async () => {
    await expect(service.addToQueue('NOPE', {})).rejects.toMatchObject({ code: 'unknown_type' });
    await expect(service.addToQueue('EMAIL_SEND', { to: 'x' })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await service.readFromQueue('not-a-uuid')).toBeNull();
  });
});
