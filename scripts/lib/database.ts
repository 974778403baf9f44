import path from 'node:path';
import { startEmbeddedPostgres, usableDataDir, type RunningPostgres } from './embedded-pg';
import { ensureDatabase, migrateDatabase } from './migrate';

export interface PreparedDatabase {
  url: string;
  embedded: RunningPostgres | null;
  stop: () => Promise<void>;
}

const DEFAULT_PORT = 54329;

/**
 * DATABASE_URL when set; otherwise an embedded PostgreSQL under `dataDir` (default .data/pg) with a
 * `steady` database. Either way the committed migrations are applied before anything else runs.
 * A data directory that is kept runs durable (fsync, synchronous commits, full-page writes): it holds
 * what a person stored. Only a throwaway one (`ephemeral`, deleted on stop) runs with the fast settings.
 */
export async function prepareDatabase(
  opts: {
    dataDir?: string;
    port?: number;
    ephemeral?: boolean;
    log?: (line: string) => void;
  } = {},
): Promise<PreparedDatabase> {
  const log = opts.log ?? ((l) => console.log(`[db] ${l}`));
  const external = process.env.DATABASE_URL;
  if (external) {
    log(`using DATABASE_URL (${redact(external)})`);
    await migrateDatabase(external);
    log('migrations applied');
    return { url: external, embedded: null, stop: async () => {} };
  }
  const preferred = path.resolve(opts.dataDir ?? '.data/pg');
  const dataDir = usableDataDir(preferred);
  if (dataDir !== preferred) log(`${preferred} is not reachable by the postgres user; using ${dataDir}`);
  const pg = await startEmbeddedPostgres({
    dataDir,
    port: opts.port ?? DEFAULT_PORT,
    ephemeral: opts.ephemeral,
    durable: !opts.ephemeral,
    log,
  });
  await ensureDatabase(pg.url('postgres'), 'steady');
  const url = pg.url('steady');
  await migrateDatabase(url);
  log(
    `embedded PostgreSQL ${pg.owned ? 'started' : 'reused'} on port ${pg.port} (${dataDir}, ${opts.ephemeral ? 'throwaway: fsync off' : 'durable'}); migrations applied`,
  );
  return { url, embedded: pg, stop: pg.stop };
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
