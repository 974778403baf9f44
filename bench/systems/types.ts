import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** What every compared queue provides to the scenarios: its own fastest paths, nothing shared. */
export interface QueueSystem {
  name: string;
  version: string;
  /** The high-throughput settings this run used, as they appear in the output. */
  settings: string;
  /** Installs the system's schema into an empty database (done once, then copied per measurement). */
  install(url: string): Promise<void>;
  /** Bulk-enqueues `n` no-op jobs through the system's fastest path. */
  bulkEnqueue(url: string, n: number): Promise<void>;
  /** Enqueues `n` jobs one call each, with `inFlight` calls outstanding at a time. */
  singleEnqueue(url: string, n: number, inFlight: number): Promise<void>;
  /** Runs workers in this process until stopped; `onJob` is called at each handler start. */
  startDrain(url: string, onJob: () => void): Promise<{ stop: () => Promise<void> }>;
  /** Node flags for the drain processes, when the system ships its worker with some. */
  nodeFlags?: string[];
  /** SQL counting the jobs not yet completed, as `n` (the drain ends when it reaches zero). */
  unfinishedSql: string;
}

/**
 * The installed release of package `name`, read from its package.json: found from the entry point
 * upwards, since a package's `exports` may not expose package.json (graphile-worker 0.18 does not).
 */
export function installedVersion(name: string): string {
  let dir = path.dirname(createRequire(import.meta.url).resolve(name));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      if (pkg.name === name) return pkg.version;
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json of ${name} above its entry point`);
    dir = up;
  }
}

export const NOOP_PAYLOAD = (i: number) => ({ n: i });

/** Runs `n` calls of `fn` with at most `inFlight` outstanding. */
export async function inParallel(n: number, inFlight: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, n) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}
