import 'server-only';
import { z } from 'zod';
import { defineJobType, QueueError, type HandlerContext, type JobTypes } from '@/lib/queue';
import { toTask, type QueueTask } from './service';

/**
 * The queue package's workers (its `workers/project.ts`): a task type and the function that processes
 * its data, registered once at start-up. `new QueueService(db)` runs what is registered here, beside
 * the app's own types.
 */
export interface QueueWorker<TData = unknown, TResult = unknown> {
  process(
    data: TData,
    task: QueueTask<TData>,
    ctx: Pick<HandlerContext<TData>, 'signal' | 'progress' | 'rateLimited'>,
  ): Promise<TResult>;
  /** Checks `data` on add and update; absent, any JSON is taken. */
  schema?: z.ZodType<TData>;
  /** Defaults: queue `default`, the queue's max attempts, no timeout beyond the lease. */
  queue?: string;
  maxAttempts?: number;
  timeoutMs?: number;
}

const registered: JobTypes = {};

export function registerWorker<TData, TResult>(type: string, worker: QueueWorker<TData, TResult>): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/.test(type)) {
    throw new QueueError('invalid_input', 'type must be 1–100 letters, digits, ".", "_", ":" or "-"');
  }
  registered[type] = defineJobType({
    queue: worker.queue ?? 'default',
    payloadSchema: (worker.schema ?? z.unknown()) as z.ZodType<TData>,
    maxAttempts: worker.maxAttempts,
    timeoutMs: worker.timeoutMs,
    handle: ({ job, payload, signal, progress, rateLimited }) =>
      worker.process(payload, toTask<TData>(job), { signal, progress, rateLimited }),
  });
}

export function unregisterWorker(type: string): void {
  delete registered[type];
}

export const registeredWorkers = (): JobTypes => registered;
