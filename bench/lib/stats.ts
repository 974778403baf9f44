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
