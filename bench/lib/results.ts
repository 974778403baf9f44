import type { Summary } from './stats';

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
