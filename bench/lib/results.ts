import { summarise, type Summary } from './stats';

/** Every measurement of the run, keyed by scenario then by system (or variant). */
export interface Measurement {
  scenario: string;
  label: string;
  unit: string;
  /** Higher is better (rates) or lower is better (latencies, seconds). */
  better: 'higher' | 'lower';
  summary: Summary;
  note?: string;
}

export interface TargetRow {
  scenario: string;
  target: string;
  measured: string;
  met: boolean | null;
}

export class Results {
  readonly measurements: Measurement[] = [];
  readonly notes: string[] = [];

  add(m: Measurement): void {
    this.measurements.push(m);
  }

  get(scenario: string, label: string): Measurement | undefined {
    return this.measurements.find((m) => m.scenario === scenario && m.label === label);
  }

  median(scenario: string, label: string): number | null {
    return this.get(scenario, label)?.summary.median ?? null;
  }
}

/** What a scenario's measurements share: the unit, which way is better, and a note. */
export type About = Pick<Measurement, 'unit' | 'better' | 'note'>;

/**
 * Samples gathered round by round, the systems interleaved within each round, and summarised per
 * scenario and label once every round has run.
 */
export class Rounds {
  private readonly samples = new Map<string, Map<string, number[]>>();

  push(scenario: string, label: string, value: number): void {
    const byLabel = this.samples.get(scenario) ?? new Map<string, number[]>();
    this.samples.set(scenario, byLabel);
    byLabel.set(label, [...(byLabel.get(label) ?? []), value]);
  }

  /** One measurement per scenario and label, described by `about[scenario]`. */
  addTo(results: Results, about: Record<string, About>): void {
    for (const [scenario, byLabel] of this.samples) {
      for (const [label, values] of byLabel)
        results.add({ scenario, label, ...about[scenario], summary: summarise(values) });
    }
  }
}
