/**
 * Prints which folders import which (app, components, hooks, drizzle, each lib/<folder>, its client/
 * part apart), so a change to the structure can be shown as a before and after. Imports of the engine
 * are told apart by door: its index (lib/queue), its browser-safe module (lib/queue/browser) or one of
 * its private files (lib/queue/*). Type-only imports are counted separately: a bundle drops them.
 *   npx tsx scripts/import-graph.ts [--json]
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const SCANNED = ['app', 'components', 'hooks', 'lib', 'drizzle'];
const IMPORT =
  /(?:import|export)\s([^'"]*?)from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** app/…, components/…, hooks/…, drizzle/… and lib/<folder> (lib's loose files are "lib"). */
function area(path: string, asTarget = false): string | null {
  const parts = relative(ROOT, path)
    .replace(/\.tsx?$/, '')
    .split('/');
  if (!SCANNED.includes(parts[0])) return null;
  if (parts[0] !== 'lib') return parts[0];
  // `@/lib/queue` names a folder (its index), not a loose file of lib.
  const folder = parts.length > 2 || (existsSync(path) && statSync(path).isDirectory());
  if (!folder) return 'lib';
  if (parts[2] === 'client') return `lib/${parts[1]}/client`;
  if (asTarget && parts[1] === 'queue' && parts.length > 2 && parts[2] !== 'index') {
    return parts[2] === 'browser' ? 'lib/queue/browser' : 'lib/queue/*';
  }
  return `lib/${parts[1]}`;
}

function target(from: string, spec: string): string | null {
  if (spec.startsWith('@/')) return join(ROOT, spec.slice(2));
  if (spec.startsWith('.')) return resolve(dirname(from), spec);
  return null;
}

const edges = new Map<string, Map<string, number>>();
for (const file of SCANNED.flatMap((d) => files(join(ROOT, d)))) {
  const from = area(file);
  for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const spec = m[2] ?? m[3] ?? m[4];
    const dest = target(file, spec);
    let to = dest && area(dest, true);
    if (!from || !to || to === from || (from === 'lib/queue' && to.startsWith('lib/queue'))) continue;
    if (/^\s*type\s/.test(m[1] ?? '')) to += ' types';
    const row = edges.get(from) ?? new Map<string, number>();
    row.set(to, (row.get(to) ?? 0) + 1);
    edges.set(from, row);
  }
}

const sorted = [...edges.entries()].sort(([a], [b]) => a.localeCompare(b));
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(Object.fromEntries(sorted.map(([k, v]) => [k, Object.fromEntries(v)])), null, 2));
} else {
  for (const [from, row] of sorted) {
    const tos = [...row.entries()].sort(([a], [b]) => a.localeCompare(b));
    console.log(`${from.padEnd(18)} → ${tos.map(([t, n]) => `${t} (${n})`).join(', ')}`);
  }
}
