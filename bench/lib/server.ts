import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { startEmbeddedPostgres } from '@/scripts/lib/embedded-pg';
import { treeCpuSeconds } from './cpu';

export interface BenchServer {
  /** URL of a database on this server. */
  url: (database: string) => string;
  source: 'embedded' | 'DATABASE_URL';
  version: string;
  settings: Record<string, string>;
  /** Drops (if present) and creates `name`, optionally as a copy of `template`. */
  freshDatabase: (name: string, template?: string) => Promise<string>;
  dropDatabase: (name: string) => Promise<void>;
  /** Starts each measurement from the same WAL state (full-page writes restart after a checkpoint). */
  checkpoint: () => Promise<void>;
  /** VACUUM ANALYZE in one database: statistics as autovacuum would have them after a while. */
  analyze: (database: string) => Promise<void>;
  /**
   * CPU seconds the server has used since it started, all its processes together: only for the
   * embedded server, whose processes are on this machine (null for DATABASE_URL).
   */
  cpuSeconds: () => number | null;
  stop: () => Promise<void>;
}

const SHOWN = [
  'fsync',
  'synchronous_commit',
  'full_page_writes',
  'wal_level',
  'shared_buffers',
  'wal_buffers',
  'min_wal_size',
  'max_wal_size',
  'max_connections',
];

/**
 * One server for the whole run, with the same durable settings for every system: the embedded one
 * (a temporary data directory, durable) unless DATABASE_URL names another.
 */
export async function startBenchServer(log: (l: string) => void): Promise<BenchServer> {
  let adminUrl: string;
  let source: BenchServer['source'];
  let stop = async () => {};
  let cpuSeconds = (): number | null => null;
  if (process.env.DATABASE_URL) {
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = '/postgres';
    adminUrl = u.toString();
    source = 'DATABASE_URL';
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), 'steady-bench-'));
    chmodSync(dir, 0o755); // the server runs as user postgres
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), durable: true, ephemeral: true, log });
    adminUrl = pg.url('postgres');
    source = 'embedded';
    // The postmaster's pid is the first line of postmaster.pid; its backends are its children.
    const postmaster = Number(readFileSync(path.join(pg.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    cpuSeconds = () => treeCpuSeconds(postmaster);
    stop = async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const settings: Record<string, string> = {};
  for (const name of SHOWN) {
    const [r] = await admin.unsafe(`select current_setting('${name}') as v`);
    settings[name] = String(r.v);
  }
  const [v] = await admin`select current_setting('server_version') as v`;
  const url = (database: string) => {
    const u = new URL(adminUrl);
    u.pathname = `/${database}`;
    return u.toString();
  };
  // Pools closed a moment ago may still hold sessions: give them time to go before forcing them out.
  const dropDatabase = async (name: string) => {
    for (let i = 0; i < 50; i++) {
      const [r] = await admin`select count(*)::int as n from pg_stat_activity where datname = ${name}`;
      if (r.n === 0) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    await admin.unsafe(`drop database if exists ${name} with (force)`);
  };
  return {
    url,
    source,
    version: String(v.v),
    settings,
    async freshDatabase(name, template) {
      await dropDatabase(name);
      await admin.unsafe(`create database ${name}${template ? ` template ${template}` : ''}`);
      return url(name);
    },
    dropDatabase,
    cpuSeconds,
    async checkpoint() {
      await admin.unsafe('checkpoint').catch(() => {}); // needs pg_checkpoint on a server of your own
    },
    async analyze(database) {
      const sql = postgres(url(database), { max: 1, onnotice: () => {} });
      await sql.unsafe('vacuum analyze').catch(() => {});
      await sql.end({ timeout: 5 });
    },
    async stop() {
      await admin.end({ timeout: 5 });
      await stop();
    },
  };
}
