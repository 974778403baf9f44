/**
 * The built app for the reliability tests and the soak: build it into a dist dir of its own (never
 * `.next`, which the browser tests build and serve), then run `next start` on it as a child process
 * group that can be killed outright and started again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stopChild } from './children';

const root = path.resolve(import.meta.dirname, '../..');
const nextBin = path.join(root, 'node_modules/.bin/next');
const SOURCES = [
  'app',
  'lib',
  'components',
  'hooks',
  'drizzle',
  'public',
  'next.config.mjs',
  'package.json',
  'proxy.ts',
];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(p).reduce((m, name) => Math.max(m, newestMtime(path.join(p, name))), st.mtimeMs);
}

/** True when the build in `distDir` is missing or older than any source file. */
export function buildIsStale(distDir: string): boolean {
  const id = path.join(root, distDir, 'BUILD_ID');
  if (!existsSync(id)) return true;
  const built = statSync(id).mtimeMs;
  return SOURCES.some((s) => newestMtime(path.join(root, s)) > built);
}

/**
 * `next build` into `distDir` unless an up-to-date build is there. A lock directory keeps two callers
 * (a test and the soak) from building into the same place at once. `next build` adds the dist dir's
 * types to tsconfig.json; that edit is undone so a test run leaves no change in the tree.
 */
export async function ensureBuilt(distDir: string, log: (line: string) => void = () => {}): Promise<void> {
  if (distDir === '.next')
    throw new Error('ensureBuilt: .next belongs to the browser tests; use a dist dir of your own');
  const lock = path.join(root, `${distDir}.lock`);
  const started = Date.now();
  while (true) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another build holds it; one older than 10 minutes was left by a killed process.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 600_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() - started > 600_000) throw new Error(`Timed out waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  try {
    if (!buildIsStale(distDir)) return;
    log(`building the app into ${distDir} (next build)…`);
    const tsconfigPath = path.join(root, 'tsconfig.json');
    const before = readFileSync(tsconfigPath, 'utf8');
    const output: string[] = [];
    const code = await new Promise<number>((resolve) => {
      const p = spawn(nextBin, ['build'], {
        cwd: root,
        env: { ...process.env, NEXT_DIST_DIR: distDir, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      p.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
      p.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
      p.once('exit', (c) => resolve(c ?? 1));
    });
    undoTsconfigEdit(tsconfigPath, before, distDir);
    if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${output.join('').slice(-4000)}`);
    log(`built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function undoTsconfigEdit(file: string, before: string, distDir: string) {
  const after = readFileSync(file, 'utf8');
  if (after === before) return;
  try {
    const parsed = JSON.parse(after) as { include?: string[] };
    parsed.include = parsed.include?.filter((p) => !p.startsWith(`${distDir}/`));
    // Only when our entries are the whole difference: a concurrent edit by someone else stays.
    if (JSON.stringify(parsed) === JSON.stringify(JSON.parse(before))) writeFileSync(file, before);
  } catch {
    /* not JSON we understand: leave it */
  }
}

export interface RunningApp {
  url: string;
  port: number;
  pid: number;
  exited: Promise<number | null>;
  /** SIGKILL to the whole process group: no shutdown, no after-response work, nothing flushed. */
  kill(): Promise<void>;
  stop(): Promise<void>;
  /** Resident memory of the app's processes, in MB (Linux /proc). */
  rssMb(): number;
  log(): string;
}

/** `next start` on a build made by ensureBuilt; resolves once /api/health answers 200. */
export async function startBuiltApp(opts: {
  distDir: string;
  port: number;
  env: Record<string, string | undefined>;
  healthTimeoutMs?: number;
}): Promise<RunningApp> {
  const proc: ChildProcess = spawn(nextBin, ['start', '-p', String(opts.port), '-H', '127.0.0.1'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...opts.env,
      NEXT_DIST_DIR: opts.distDir,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
    },
  });
  const lines: string[] = [];
  const keep = (c: Buffer) => {
    lines.push(c.toString());
    if (lines.length > 5_000) lines.shift();
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${opts.port}`;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid!, sig);
    } catch {
      /* already gone */
    }
  };
  const app: RunningApp = {
    url,
    port: opts.port,
    pid: proc.pid!,
    exited,
    async kill() {
      signal('SIGKILL');
      await exited;
    },
    stop: () => stopChild({ name: 'app', proc, exited: exited.then((c) => c ?? 1) }),
    rssMb: () => groupRssMb(proc.pid!),
    log: () => lines.join(''),
  };
  const deadline = Date.now() + (opts.healthTimeoutMs ?? 60_000);
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  while (true) {
    if (exitedEarly) throw new Error(`next start exited before answering:\n${app.log().slice(-6000)}`);
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return app;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await app.kill();
      throw new Error(`next start did not become healthy in time:\n${app.log().slice(-6000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Sum of VmRSS over the processes in the group led by `pgid`. */
function groupRssMb(pgid: number): number {
  let kb = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue; // field 5 of stat: the process group
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      /* the process ended while we looked */
    }
  }
  return Math.round(kb / 1024);
}
