import { graphile } from './graphile';
import { pgBoss } from './pg-boss';
import { steady } from './steady';
import type { QueueSystem } from './types';

export const SYSTEMS: QueueSystem[] = [steady, pgBoss, graphile];

export function systemByName(name: string): QueueSystem {
  const found = SYSTEMS.find((s) => s.name === name);
  if (!found) throw new Error(`Unknown system ${name}`);
  return found;
}

/** Round r runs the systems starting from a different one, so none always goes first. */
export const rotated = <T>(items: T[], round: number): T[] => items.map((_, i) => items[(i + round) % items.length]);
