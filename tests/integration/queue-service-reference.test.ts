import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { getJob, getJobEvents, QueueError } from '@/lib/queue';
import { QueueService, registerWorker, unregisterWorker } from '@/lib/queue-service';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { closeAppDb, useAppEnv } from '../helpers/route-call';

let t: TestDb;
let db: TestDb['db'];
beforeAll(async () => {
  t = await createTestDb();
  useAppEnv(t);
  db = t.db;
  // The reference's workers/project.ts: task types and their processors, registered once.
  registerWorker('EMAIL_SEND', {
    schema: z.object({ to: z.email(), subject: z.string().optional(), template: z.string() }),
    process: async (data) => ({ sent: true, to: data.to, template: data.template }),
  });
  registerWorker('IMAGE_PROCESS', {
    process: async (data: { imageUrl: string }) => ({ name: new URL(data.imageUrl).pathname.split('/').pop() }),
  });
});
afterAll(async () => {
  unregisterWorker('EMAIL_SEND');
  unregisterWorker('IMAGE_PROCESS');
  await closeAppDb();
  await t.close();
});

describe('queue-package.md, verbatim', () => {
  it('Quick Start: new QueueService(db), addToQueue, processJob', async () => {
    // Initialize the queue service
    const queueService = new QueueService(db);

    // Add a task to the queue
    const task = await queueService.addToQueue(
      'EMAIL_SEND',
      {
        to: 'user@example.com',
        subject: 'Welcome',
        template: 'welcome-email',
      },
      {
        maxAttempts: 3,
        priority: 1,
      },
    );

    // Process the task
    const result = await queueService.processJob(task.id);
    expect(task).toMatchObject({ type: 'EMAIL_SEND', status: 'PENDING', priority: 1, maxAttempts: 3 });
    expect(result).toMatchObject({ status: 'COMPLETED', result: { sent: true, to: 'user@example.com' } });
  });

  it('Usage examples: options, scheduling, rate limits, retries, hasProcessingTasks', async () => {
    const queueService = new QueueService(db);
    // Simple task
    const emailTask = await queueService.addToQueue('EMAIL_SEND', { to: 'user@example.com', template: 'welcome' });

    // Task with options
    const priorityTask = await queueService.addToQueue(
      'IMAGE_PROCESS',
      { imageUrl: 'https://example.com/image.jpg' },
      {
        priority: 2,
        maxAttempts: 5,
        scheduledFor: new Date(Date.now() + 3600000), // Schedule for 1 hour later
        reference: {
          id: 'user-123',
          type: 'User',
        },
      },
    );
    const taskId = emailTask.id;
    // Process a specific task
    const result = await queueService.processJob(taskId);

    // Retry failed tasks
    const retryResult = await queueService.retryFailedQueueTasks();

    // Handle rate limit errors
    await queueService.handleRateLimitError(
      priorityTask.id,
      'OpenAI',
      300, // Retry after 5 minutes
    );
    const hasProcessing = await queueService.hasProcessingTasks('IMAGE_PROCESS');

    expect(result).toMatchObject({ status: 'COMPLETED' });
    expect(retryResult).toMatchObject({ success: true });
    expect(hasProcessing).toBe(false);
    expect(await queueService.readFromQueue(priorityTask.id)).toMatchObject({
      status: 'PENDING',
      priority: 2,
      referenceId: 'user-123',
      referenceType: 'User',
      failedProviders: ['OpenAI'],
    });
  });

  it('runs the app’s own in-app types by default, and leaves other workloads’ types to their routes', async () => {
    const queueService = new QueueService(db);
    const doc = await queueService.addToQueue('document.extract', {
      fileName: 'a.txt',
      text: 'Jane Doe\njane@example.com',
    });
    expect(await queueService.processJob(doc.id)).toMatchObject({ status: 'COMPLETED' });
    for (const type of ['pipeline.app', 'profile.process', 'sync.platform']) {
      await expect(queueService.addToQueue(type, {})).rejects.toMatchObject({ code: 'unknown_type' });
    }
  });
});

describe('QueueService refuses bad input with a coded QueueError and writes nothing', () => {
  it('a NUL byte in data, a bad maxAttempts or priority, on add and on update alike', async () => {
    const queueService = new QueueService(db);
    const nul = { to: 'a@example.com', template: 'x\u0000y' };
    const refused = async (p: Promise<unknown>, field: RegExp) => {
      const err = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(QueueError);
      expect((err as QueueError).code).toBe('invalid_input');
      expect((err as Error).message).toMatch(field);
      expect((err as Error).message).not.toMatch(/update jobs|insert into|select /i);
    };
    await refused(queueService.addToQueue('EMAIL_SEND', nul), /data/);
    for (const maxAttempts of [0, 2.5, NaN, 101])
      await refused(
        queueService.addToQueue('EMAIL_SEND', { to: 'a@example.com', template: 't' }, { maxAttempts }),
        /maxAttempts/,
      );
    await refused(
      queueService.addToQueue('EMAIL_SEND', { to: 'a@example.com', template: 't' }, { priority: NaN }),
      /priority/,
    );

    const task = await queueService.addToQueue('EMAIL_SEND', { to: 'a@example.com', template: 't' });
    const before = await getJob(db, task.id);
    await refused(queueService.updateInQueue(task.id, { data: nul }), /data/);
    for (const maxAttempts of [0, 2.5])
      await refused(queueService.updateInQueue(task.id, { maxAttempts }), /maxAttempts/);
    for (const priority of [NaN, Infinity, 1.5])
      await refused(queueService.updateInQueue(task.id, { priority }), /priority/);
    await refused(queueService.handleRateLimitError(task.id, 'OpenAI', NaN), /retryAfter/);
    await refused(queueService.handleRateLimitError(task.id, 'OpenAI', -1), /retryAfter/);
    expect(await getJob(db, task.id)).toEqual(before);
    expect(await getJobEvents(db, task.id)).toEqual([]);
  });
});

describe('getQueueStatus (the package’s polling query)', () => {
  it('answers the package’s lists in its words: uppercase statuses, data, priority higher-first, per user', async () => {
    const route = await import('@/app/api/dashboard/queue-status/route');
    const { call } = await import('../helpers/route-call');
    const queueService = new QueueService(db);
    const waiting = await queueService.addToQueue(
      'EMAIL_SEND',
      { to: 'w@example.com', template: 'status' },
      { priority: 3 },
    );
    const res = await call(route.GET, 'GET', '/api/dashboard/queue-status', { key: null });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['completedTasks', 'failedTasks', 'pendingTasks', 'processingTasks']);
    expect(res.body.pendingTasks.find((x: { id: string }) => x.id === waiting.id)).toMatchObject({
      status: 'PENDING',
      priority: 3,
      data: { to: 'w@example.com', template: 'status' },
      type: 'EMAIL_SEND',
    });
    expect(res.body.completedTasks.every((x: { status: string }) => x.status === 'COMPLETED')).toBe(true);
    const other = await call(
      route.GET,
      'GET',
      '/api/dashboard/queue-status?userId=00000000-0000-4000-8000-000000000000',
      { key: null },
    );
    expect(other.body).toEqual({ pendingTasks: [], processingTasks: [], completedTasks: [], failedTasks: [] });
    expect((await call(route.GET, 'GET', '/api/dashboard/queue-status?userId=nope', { key: null })).status).toBe(400);
  });
});
