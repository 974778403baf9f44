import type { BenchServer } from './server';
import type { Results } from './results';
import type { QueueSystem } from '../systems/types';

export interface BenchConfig {
  quick: boolean;
  rounds: number;
  bulkJobs: number;
  singleJobs: number;
  inFlight: number;
  drainJobs: number;
  claimPending: number[];
  claimSamples: number;
  syncUsers: number;
  dashboardRows: number;
  readSamples: number;
  pickupSamples: number;
  httpJobs: number;
  /** Users × 4 platforms for sync-all worked off through the route (route-drain). */
  routeSyncUsers: number;
  ceilingSeconds: number;
}

export const FULL: Omit<BenchConfig, 'quick'> = {
  rounds: 3,
  bulkJobs: 50_000,
  singleJobs: 10_000,
  inFlight: 10,
  drainJobs: 50_000,
  claimPending: [10_000, 100_000, 1_000_000],
  claimSamples: 500,
  syncUsers: 100_000,
  dashboardRows: 1_000_000,
  readSamples: 60,
  pickupSamples: 200,
  httpJobs: 20_000,
  routeSyncUsers: 10_000,
  ceilingSeconds: 10,
};

// A smoke run (under 2 minutes): every scenario, smaller and with two rounds. Absolute targets are
// scaled to the smaller sizes; the HTTP scenario reuses an existing .next-bench build or is skipped.
export const QUICK: Omit<BenchConfig, 'quick'> = {
  rounds: 2,
  bulkJobs: 10_000,
  singleJobs: 1_000,
  inFlight: 10,
  drainJobs: 5_000,
  claimPending: [10_000, 100_000],
  claimSamples: 200,
  syncUsers: 10_000,
  dashboardRows: 100_000,
  readSamples: 30,
  pickupSamples: 50,
  httpJobs: 4_000,
  routeSyncUsers: 500,
  ceilingSeconds: 2,
};

export interface BenchContext {
  server: BenchServer;
  config: BenchConfig;
  results: Results;
  log: (line: string) => void;
  /** A fresh database with the system's schema installed, copied from a template made once. */
  freshDb: (system: QueueSystem, tag: string) => Promise<{ name: string; url: string }>;
}

const templates = new Map<string, Promise<string>>();
const dbName = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '_');

export function makeFreshDb(server: BenchServer) {
  return async (system: QueueSystem, tag: string) => {
    const tpl = `bench_tpl_${dbName(system.name)}`;
    if (!templates.has(tpl)) {
      templates.set(
        tpl,
        (async () => {
          await system.install(await server.freshDatabase(tpl));
          return tpl;
        })(),
      );
    }
    const name = `bench_${dbName(system.name)}_${dbName(tag)}`;
    return { name, url: await server.freshDatabase(name, await templates.get(tpl)!) };
  };
}
