import type { Outcome } from './execute';
import type { Job } from './types';

/**
 * What this process has run: outcomes as counters, pickup latency and run time as histograms, and lease
 * rescues. Kept in memory by the executor (a few additions per job), so it covers the jobs this process
 * ran since it started and nothing else; the database-wide numbers are in metrics.ts.
 */

/** Upper bounds in seconds, as Prometheus's `le`: 5 ms … 1 h. */
export const LATENCY_BUCKETS_S = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600,
] as const;

export interface HistogramSnapshot {
  /** Observations at or below each bound of LATENCY_BUCKETS_S (cumulative), then the total. */
  cumulative: number[];
  sum: number;
  count: number;
}

export interface ProcessSeries {
  queue: string;
  type: string;
  outcomes: Record<Outcome, number>;
  pickupSeconds: HistogramSnapshot;
  runSeconds: HistogramSnapshot;
}

export interface ProcessMetricsSnapshot {
  startedAt: Date;
  series: ProcessSeries[];
  rescued: number;
}

class Histogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS_S.length + 1).fill(0);
  sum = 0;

  observe(seconds: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS_S.length && seconds > LATENCY_BUCKETS_S[i]) i++;
    this.counts[i]++;
    this.sum += seconds;
  }

  snapshot(): HistogramSnapshot {
    let acc = 0;
    const cumulative = this.counts.map((c) => (acc += c));
    return { cumulative, sum: this.sum, count: acc };
  }
}

interface Series {
  queue: string;
  type: string;
  outcomes: Record<Outcome, number>;
  pickup: Histogram;
  run: Histogram;
}

export class ProcessMetrics {
  private readonly series = new Map<string, Series>();
  private rescued = 0;
  private startedAt = new Date();

  /** One run's end: `job` as claimed (its runAt is when it became due, startedAt when it was claimed). */
  recordRun(job: Job, outcome: Outcome, durationMs: number): void {
    const key = `${job.queue}\u0000${job.type}`;
    let s = this.series.get(key);
    if (!s) {
      s = {
        queue: job.queue,
        type: job.type,
        pickup: new Histogram(),
        run: new Histogram(),
        outcomes: { completed: 0, retrying: 0, failed: 0, deferred: 0, lost: 0 },
      };
      this.series.set(key, s);
    }
    s.outcomes[outcome]++;
    if (job.startedAt) s.pickup.observe(Math.max(0, job.startedAt.getTime() - job.runAt.getTime()) / 1000);
    s.run.observe(Math.max(0, durationMs) / 1000);
  }

  recordRescued(n: number): void {
    this.rescued += n;
  }

  snapshot(): ProcessMetricsSnapshot {
    return {
      startedAt: this.startedAt,
      rescued: this.rescued,
      series: [...this.series.values()].map((s) => ({
        queue: s.queue,
        type: s.type,
        outcomes: { ...s.outcomes },
        pickupSeconds: s.pickup.snapshot(),
        runSeconds: s.run.snapshot(),
      })),
    };
  }

  /** For tests: forget everything, as a restarted process would. */
  reset(): void {
    this.series.clear();
    this.rescued = 0;
    this.startedAt = new Date();
  }
}

/** The process's own recorder: the executor and the batch and worker loops write to it. */
export const processMetrics = new ProcessMetrics();
