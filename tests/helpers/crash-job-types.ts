import { appendFileSync } from 'node:fs';
import { z } from 'zod';
import { defineJobType, type JobTypes } from '@/lib/queue';

/** One line per handler start, appended before any work: a SIGKILL right after it still leaves the line. */
export interface RunRecord {
  e: 'start' | 'stall' | 'lost';
  id: string;
  n: number;
  attempt: number;
  worker: string;
  pid: number;
  at: number;
  /** The lease end the claim gave this attempt; a re-run must start after it. */
  lockedUntil: number;
}

const Payload = z.object({ n: z.number().int().min(0), stall: z.boolean().optional() });

/**
 * The crash tests' job type. A `stall` job freezes its whole process on its first attempt (SIGSTOP to
 * itself), which is how a worker ends up completing late: the test resumes it after the lease has passed.
 */
export function crashJobTypes(opts: { runsFile: string; workerId: string; handlerMs: number }): JobTypes {
  const write = (r: RunRecord) => appendFileSync(opts.runsFile, `${JSON.stringify(r)}\n`);
  return {
    'rel.work': defineJobType({
      queue: 'rel',
      payloadSchema: Payload,
      timeoutMs: 30_000,
      handle: async ({ job, payload, signal }) => {
        const record = (e: RunRecord['e']) =>
          write({
            e,
            id: job.id,
            n: payload.n,
            attempt: job.attempts,
            worker: opts.workerId,
            pid: process.pid,
            at: Date.now(),
            lockedUntil: job.lockedUntil?.getTime() ?? 0,
          });
        record('start');
        if (payload.stall && job.attempts === 1) {
          record('stall');
          process.kill(process.pid, 'SIGSTOP');
        }
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, opts.handlerMs);
          signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              reject(signal.reason);
            },
            { once: true },
          );
        });
        return { n: payload.n };
      },
    }),
  };
}

export function readRuns(text: string): RunRecord[] {
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as RunRecord];
      } catch {
        return []; // a line cut short by SIGKILL
      }
    });
}
