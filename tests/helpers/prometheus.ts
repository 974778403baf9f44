import { getMetricsFromIterator, type PromHistogramData, type PromMetrics } from 'prom2javascript';

/** Prometheus text format through a real parser (prom2javascript, which also checks histograms' shape). */
export async function parsePrometheus(text: string): Promise<PromMetrics> {
  return getMetricsFromIterator(text.split('\n')[Symbol.iterator]());
}

const matches = (have: Record<string, string>, want: Record<string, string>) =>
  Object.entries(want).every(([k, v]) => have[k] === v);

/** The value of the sample of `family` whose labels include `labels`; undefined when none. */
export function sampleValue(m: PromMetrics, family: string, labels: Record<string, string> = {}): number | undefined {
  const hit = (m[family]?.data as { labels: Record<string, string>; value: number }[] | undefined)?.find((d) =>
    matches(d.labels, labels),
  );
  return hit?.value;
}

/** Every sample of a counter or gauge family. */
export const samples = (m: PromMetrics, family: string) =>
  (m[family]?.data ?? []) as { labels: Record<string, string>; value: number }[];

export function histogramOf(
  m: PromMetrics,
  family: string,
  labels: Record<string, string>,
): PromHistogramData | undefined {
  return (m[family]?.data as PromHistogramData[] | undefined)?.find((d) => matches(d.labels, labels));
}
