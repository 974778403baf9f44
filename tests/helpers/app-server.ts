/**
 * Processes the reliability tests start and kill: crash workers, and the already-built app
 * (`next start` on a dist dir of its own, shared with the soak in scripts/lib/chaos-app.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnServerScript } from '@/scripts/lib/server-script';

export { ensureBuilt, startBuiltApp, type RunningApp } from '@/scripts/lib/chaos-app';

const root = path.resolve(import.meta.dirname, '../..');

export interface Proc {
  pid: number;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
  /** Stopped by SIGSTOP (state T in /proc). */
  isFrozen(): boolean;
}

function wrap(proc: ChildProcess): Proc {
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    pid: proc.pid!,
    exited,
    kill(signal) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    },
    isFrozen() {
      try {
        const stat = readFileSync(`/proc/${proc.pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
      } catch {
        return false;
      }
    },
  };
}

export type CrashWorker = Proc;

export function spawnCrashWorker(opts: {
  databaseUrl: string;
  runsFile: string;
  leaseMs: number;
  handlerMs: number;
  batchLimit: number;
  concurrency: number;
}): CrashWorker {
  const proc = spawnServerScript(path.join(root, 'tests/helpers/crash-worker.ts'), {
    cwd: root,
    stdio: 'ignore',
    env: {
      ...process.env,
      DATABASE_URL: opts.databaseUrl,
      RUNS_FILE: opts.runsFile,
      LEASE_MS: String(opts.leaseMs),
      HANDLER_MS: String(opts.handlerMs),
      BATCH_LIMIT: String(opts.batchLimit),
      CONCURRENCY: String(opts.concurrency),
    },
  });
  return wrap(proc);
}
