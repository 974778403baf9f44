/**
 * Every system is measured on the same Node, and the peers' newest releases need Node ≥ 22.18
 * (graphile-worker 0.18) and ≥ 22.12 (pg-boss 12): the benchmark runs on Node 24, the LTS the README
 * names. On an older Node it re-executes itself under Node 24 from STEADY_NODE24 (the folder of a
 * Node 24 binary, as .ci/run sets it) or from .cache/node24, which it fills from the npm registry's
 * node@24 package on first use.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { spawnServerScript } from '@/scripts/lib/server-script';

export const NODE_MAJOR = 24;
const ROOT = path.resolve(import.meta.dirname, '../..');
const CACHE = path.join(ROOT, '.cache', 'node24');

const major = (version: string) => Number(/^v?(\d+)/.exec(version.trim())?.[1] ?? 0);

function versionOf(bin: string): string | null {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** STEADY_NODE24 may name the folder (as .ci/run exports it) or the binary itself. */
function fromEnv(): string | null {
  const given = process.env.STEADY_NODE24;
  if (!given) return null;
  const bin = existsSync(given) && statSync(given).isDirectory() ? path.join(given, 'node') : given;
  return existsSync(bin) ? bin : null;
}

function fromCache(install: boolean): string | null {
  const bin = path.join(CACHE, 'node_modules', '.bin', 'node');
  if (existsSync(bin) && major(versionOf(bin) ?? '') === NODE_MAJOR) return bin;
  if (!install) return null;
  console.log(
    `[bench] Node ${process.version} is older than the Node ${NODE_MAJOR} the benchmark runs every system on; ` +
      `installing node@${NODE_MAJOR} from the npm registry into ${path.relative(ROOT, CACHE)} (once)…`,
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(
    npm,
    ['install', '--prefix', CACHE, '--no-audit', '--no-fund', '--no-save', `node@${NODE_MAJOR}`],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  return r.status === 0 && existsSync(bin) && major(versionOf(bin) ?? '') === NODE_MAJOR ? bin : null;
}

/**
 * Returns when this process runs on Node ≥ 24. Otherwise runs `entry` with the same arguments under
 * Node 24 and exits with its code, or exits saying how to get Node 24 when none can be had: a table
 * with the peers on an older Node than Steady, or without them, would not be the comparison it claims.
 */
export async function onNode24(entry: string): Promise<void> {
  if (major(process.version) >= NODE_MAJOR) return;
  const env = fromEnv();
  const envVersion = env && versionOf(env);
  if (process.env.STEADY_NODE24 && major(envVersion ?? '') < NODE_MAJOR) {
    console.error(
      `[bench] STEADY_NODE24=${process.env.STEADY_NODE24} ` +
        `${envVersion ? `is Node ${envVersion}, not ${NODE_MAJOR}` : 'names no Node binary'}; not using it`,
    );
  }
  const bin = (env && major(envVersion ?? '') >= NODE_MAJOR ? env : null) ?? fromCache(true);
  if (!bin) {
    console.error(
      `[bench] the benchmark needs Node ${NODE_MAJOR} (the peers need ≥ 22.18, and every system runs on the same ` +
        `Node); this is ${process.version}. Run it with Node ${NODE_MAJOR}, or set STEADY_NODE24 to the folder of a ` +
        `Node ${NODE_MAJOR} binary (npm install --prefix <dir> node@${NODE_MAJOR}, then <dir>/node_modules/.bin).`,
    );
    process.exit(1);
  }
  console.log(`[bench] re-running under ${bin} (${versionOf(bin)})`);
  // The folder first on PATH, so what the benchmark starts by name (the app server, tsx) runs on it too.
  const child = spawnServerScript(entry, {
    node: bin,
    args: process.argv.slice(2),
    stdio: 'inherit',
    env: { ...process.env, PATH: `${path.dirname(bin)}${path.delimiter}${process.env.PATH ?? ''}` },
  });
  // Ctrl-C reaches the whole process group, the child included: it stops its servers and exits itself.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  const code = await new Promise<number>((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 128 : 1))));
  process.exit(code);
}
