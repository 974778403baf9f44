export interface Summary {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export function summarise(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], samples };
}

/** Nearest-rank percentile of already collected latencies. */
export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const elapsed = async (fn: () => Promise<unknown>): Promise<number> => {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
};

/** Milliseconds each of `n` calls of `fn` took, one call at a time. */
export async function latencies(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    lat.push(performance.now() - t);
  }
  return lat;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Each read's p50 and p95 over `samples` calls, per round, added to `results` as two rows under
 * `scenario` and logged; answers each read's p95 summary by label.
 */
export async function measureReads(
  ctx: {
    results: {
      add(m: { scenario: string; label: string; unit: string; better: 'lower'; summary: Summary; note?: string }): void;
    };
    log: (l: string) => void;
  },
  opts: {
    scenario: string;
    reads: [string, () => Promise<unknown>][];
    rounds: number;
    samples: number;
    note: string;
    warmup?: number;
  },
): Promise<Map<string, Summary>> {
  const p95s = new Map<string, Summary>();
  for (const [label, read] of opts.reads) {
    if (opts.warmup) await latencies(opts.warmup, read);
    const p50: number[] = [];
    const p95: number[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      const lat = await latencies(opts.samples, read);
      p50.push(percentile(lat, 50));
      p95.push(percentile(lat, 95));
    }
    const [s50, s95] = [summarise(p50), summarise(p95)];
    ctx.results.add({
      scenario: opts.scenario,
      label: `${label} p50`,
      unit: 'ms',
      better: 'lower',
      summary: s50,
      note: opts.note,
    });
    ctx.results.add({
      scenario: opts.scenario,
      label: `${label} p95`,
      unit: 'ms',
      better: 'lower',
      summary: s95,
      note: opts.note,
    });
    ctx.log(`${label} at ${opts.note}: p50 ${s50.median.toFixed(1)} ms, p95 ${s95.median.toFixed(1)} ms`);
    p95s.set(label, s95);
  }
  return p95s;
}
