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
