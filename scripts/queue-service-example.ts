/**
 * QueueService, used as queue-package.md shows it, against a real database:
 *   npx tsx scripts/with-db.ts -- npx tsx --conditions=react-server scripts/queue-service-example.ts
 * (or with DATABASE_URL set: npx tsx --conditions=react-server scripts/queue-service-example.ts)
 */
import { z } from 'zod';
import { createDb } from '@/lib/db';
import { defineJobType, PermanentJobError, type JobTypes } from '@/lib/queue';
import { QueueService } from '@/lib/queue-service/service';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set; run me through scripts/with-db.ts (see the comment at the top)');
  process.exit(2);
}

let cdnBusy = true;
let smtpDown = true;
const types: JobTypes = {
  EMAIL_SEND: defineJobType({
    queue: 'default',
    payloadSchema: z.object({ to: z.email(), subject: z.string().default('Hello'), template: z.string() }),
    handle: async ({ payload, progress }) => {
      await progress('Rendering');
      if (payload.to.startsWith('ops@') && smtpDown) {
        smtpDown = false;
        throw new PermanentJobError('SMTP server refused the connection'); // no automatic retry
      }
      return {
        to: payload.to,
        subject: payload.subject,
        body: `Hi ${payload.to.split('@')[0]}, this is ${payload.template}.`,
      };
    },
  }),
  IMAGE_PROCESS: defineJobType({
    queue: 'default',
    payloadSchema: z.object({
      imageUrl: z.url(),
      options: z.object({ resize: z.boolean(), format: z.string() }).partial().optional(),
    }),
    handle: async ({ payload, rateLimited }) => {
      if (cdnBusy) {
        cdnBusy = false;
        rateLimited('ImageCDN', 2); // the attempt is handed back; the task waits 2 s
      }
      if (payload.imageUrl.endsWith('.bmp')) throw new PermanentJobError('BMP is not supported');
      return { source: payload.imageUrl, format: payload.options?.format ?? 'jpeg' };
    },
  }),
};

const { db, client } = createDb({ url, max: 2 });
const queueService = new QueueService(db, types);
const show = (label: string, task: unknown) => console.log(`${label}:`, JSON.stringify(task, null, 2));

try {
  // Quick Start
  const task = await queueService.addToQueue(
    'EMAIL_SEND',
    { to: 'user@example.com', subject: 'Welcome', template: 'welcome-email' },
    { maxAttempts: 3, priority: 1 },
  );
  show('added', { id: task.id, status: task.status, priority: task.priority });
  show('processed', await queueService.processJob(task.id));

  // Options, and a rate limit on the first run
  const image = await queueService.addToQueue(
    'IMAGE_PROCESS',
    { imageUrl: 'https://example.com/image.jpg', options: { resize: true, format: 'webp' } },
    { priority: 2, maxAttempts: 5, reference: { id: 'user-123', type: 'User' } },
  );
  const limited = await queueService.processJob(image.id);
  show('rate limited', {
    status: limited?.status,
    failedProviders: limited?.failedProviders,
    scheduledFor: limited?.scheduledFor,
  });
  console.log('processing again before the provider allows:', await queueService.processJob(image.id));
  await new Promise((r) => setTimeout(r, 2_100)); // this demo waits out the 2 s the CDN asked for
  show('after the wait', await queueService.processJob(image.id));

  // A task whose data was wrong: reset it, fix the data, run it
  const bad = await queueService.addToQueue('IMAGE_PROCESS', { imageUrl: 'https://example.com/old.bmp' });
  show('failed', { status: (await queueService.processJob(bad.id))?.status });
  await queueService.updateInQueue(bad.id, { status: 'PENDING' });
  await queueService.updateInQueue(bad.id, { data: { imageUrl: 'https://example.com/old.png' } });
  show('fixed and processed', { status: (await queueService.processJob(bad.id))?.status });

  // A task that failed while a server was down: retryFailedQueueTasks runs it again
  const alert = await queueService.addToQueue('EMAIL_SEND', { to: 'ops@example.com', template: 'alert' });
  show('failed', { status: (await queueService.processJob(alert.id))?.status });
  show('retryFailedQueueTasks', await queueService.retryFailedQueueTasks());

  // Handling a rate limit from outside the handler, monitoring, and clean-up
  const later = await queueService.addToQueue('EMAIL_SEND', { to: 'later@example.com', template: 'digest' });
  await queueService.handleRateLimitError(later.id, 'SendGrid', 300);
  show('deferred by SendGrid', await queueService.readFromQueue(later.id));
  console.log('hasProcessingTasks(IMAGE_PROCESS):', await queueService.hasProcessingTasks('IMAGE_PROCESS'));
  for (const id of [task.id, image.id, bad.id, alert.id, later.id]) await queueService.deleteFromQueue(id);
  console.log('deleted; readFromQueue now gives', await queueService.readFromQueue(task.id));
} finally {
  await client.end({ timeout: 5 });
}
