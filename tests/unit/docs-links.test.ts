/**
 * Every repository path and npm script the README and docs/ name must exist, so a newcomer who
 * follows them never lands on a file that moved or a script that was renamed.
 *
 * What counts as a path (anything else in backticks — statuses, routes, keys — is left alone):
 * - a markdown link to a relative target, resolved from the page's own folder;
 * - in inline code: a token with a slash whose first segment is a top-level entry of the repository,
 *   or that starts with `./`, `../` or `@/`; and a bare file name with a source extension
 *   (`claim.ts`), found beside the page or anywhere in the repository;
 * - in fenced code: a token with a slash whose first segment is a top-level folder (`npx tsx scripts/x.ts`).
 * `*` and `**` are globs, `<name>` and `…` stand for one segment or part of one; each must match something.
 * npm scripts: `npm run <name>` anywhere, and `npm test` / `npm start` / `npm stop` / `npm restart`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

// Not walked for files, and not expected to hold anything the docs name.
const SKIP_DIRS = new Set(['node_modules', '.git']);

// Made when the app, the tests or the benchmark run (and ignored by git): named, never checked.
const MADE_AT_RUN_TIME = ['.data', '.next', '.next-rel', '.next-bench', 'test-results', 'playwright-report'];

// Files the docs tell a reader to create in their own deployment.
const WRITTEN_BY_THE_READER = new Set(['instrumentation.ts', 'otel.mjs', '.env', '.env.local']);

const SOURCE_EXTENSIONS = /\.(ts|tsx|mts|js|mjs|cjs|json|md|sql|ya?ml|sh|css|svg)$/;

function docFiles(): string[] {
  const files = ['README.md', 'lib/queue/README.md'].filter((f) => existsSync(path.join(ROOT, f)));
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.md')) files.push(rel);
    }
  };
  if (existsSync(path.join(ROOT, 'docs'))) walk('docs');
  return files;
}

let allFiles: string[] | undefined;
function repositoryFiles(): string[] {
  if (allFiles) return allFiles;
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      if (SKIP_DIRS.has(e.name) || (dir === '' && MADE_AT_RUN_TIME.includes(e.name))) continue;
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) walk(rel);
      else out.push(rel);
    }
  };
  walk('');
  allFiles = out;
  return out;
}

const topLevel = new Set(readdirSync(ROOT));
const topLevelDirs = new Set(
  readdirSync(ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !SKIP_DIRS.has(e.name))
    .map((e) => e.name),
);

function segmentPattern(segment: string): RegExp {
  const escaped = segment
    .replace(/<[^>/]*>/g, '\uE000')
    .replace(/…/g, '\uE000')
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '\uE000')
    .replace(/\uE000+/g, '[^/]*');
  return new RegExp(`^${escaped}$`);
}

/** Whether a repository-relative path (possibly with globs or placeholders) names something. */
function matches(relPath: string): boolean {
  const segments = relPath.split('/').filter((s) => s !== '' && s !== '.');
  const visit = (dir: string, i: number): boolean => {
    if (i === segments.length) return true;
    const seg = segments[i];
    const abs = path.join(ROOT, dir);
    if (seg === '**') {
      if (visit(dir, i + 1)) return true;
      return subdirs(abs).some((d) => visit(path.posix.join(dir, d), i));
    }
    if (!/[*<…]/.test(seg)) {
      const next = path.posix.join(dir, seg);
      if (!existsSync(path.join(ROOT, next))) return false;
      return i === segments.length - 1 || (isDir(path.join(ROOT, next)) && visit(next, i + 1));
    }
    const re = segmentPattern(seg);
    if (!isDir(abs)) return false;
    return readdirSync(abs)
      .filter((name) => !SKIP_DIRS.has(name) && re.test(name))
      .some(
        (name) =>
          i === segments.length - 1 || (isDir(path.join(abs, name)) && visit(path.posix.join(dir, name), i + 1)),
      );
  };
  return visit('', 0);
}

function isDir(abs: string): boolean {
  try {
    return statSync(abs).isDirectory();
  } catch {
    return false;
  }
}
function subdirs(abs: string): string[] {
  if (!isDir(abs)) return [];
  return readdirSync(abs, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !SKIP_DIRS.has(e.name))
    .map((e) => e.name);
}

/** `@/lib/x` is an import: try it as written, then with the extensions TypeScript resolves. */
function importExists(spec: string): boolean {
  const base = spec.slice(2);
  return ['', '.ts', '.tsx', '/index.ts', '/index.tsx'].some((ext) => matches(base + ext));
}

type Problem = string;

function checkPathToken(raw: string, doc: string, inFence: boolean, problems: Problem[]): void {
  // Trailing punctuation of a sentence or an argument list; a leading quote or bracket.
  let token = raw.replace(/^['"([]+(?=[^\])]*$)/, '').replace(/^['"]+/, '');
  token = token.replace(/[,;:'"]+$/, '');
  if (token.endsWith(')') && (token.match(/\(/g)?.length ?? 0) < (token.match(/\)/g)?.length ?? 0))
    token = token.slice(0, -1);
  token = token.replace(/[.]+$/, '');
  if (!token || /:\/\//.test(token) || token.includes('$')) return; // URLs, shell variables
  token = token.replace(/#.*$/, '');
  const here = path.posix.dirname(doc);
  if (WRITTEN_BY_THE_READER.has(token.replace(/^\.\//, ''))) return;

  if (/^\/(work|home|Users|root|mnt)\//.test(token)) {
    problems.push(`${doc}: \`${token}\` is a path outside the repository`);
    return;
  }
  if (token.startsWith('/')) return; // a route (/api/jobs) or a system path (/usr/bin/chromium)
  if (token.startsWith('@/')) {
    if (!importExists(token)) problems.push(`${doc}: \`${token}\` does not resolve to a file`);
    return;
  }
  if (token.startsWith('./') || token.startsWith('../')) {
    const rel = path.posix.normalize(path.posix.join(here, token));
    if (rel.startsWith('..')) problems.push(`${doc}: \`${token}\` points outside the repository`);
    else if (!matches(rel)) problems.push(`${doc}: \`${token}\` does not exist`);
    return;
  }
  const first = token.split('/')[0];
  if (MADE_AT_RUN_TIME.includes(first)) return;

  if (token.includes('/')) {
    const known = inFence ? topLevelDirs.has(first) : topLevel.has(first);
    if (!known) {
      // `queued/nlp`, `queue/type`: words with a slash. A file name with a source extension is
      // still a path, and must then be somewhere.
      if (!inFence && SOURCE_EXTENSIONS.test(token) && /^[\w.-]+(\/[\w.[\]()*<>…-]+)+$/.test(token)) {
        problems.push(`${doc}: \`${token}\` does not exist (its first folder, ${first}, is not in the repository)`);
      }
      return;
    }
    if (!matches(token)) problems.push(`${doc}: \`${token}\` does not exist`);
    return;
  }
  if (inFence || !SOURCE_EXTENSIONS.test(token) || !/^[\w.[\]*<>…-]+$/.test(token)) return;
  // A bare file name: beside the page, at the root, or anywhere in the repository.
  if (matches(path.posix.join(here, token)) || matches(token)) return;
  const re = segmentPattern(token);
  if (!repositoryFiles().some((f) => re.test(f.slice(f.lastIndexOf('/') + 1)))) {
    problems.push(`${doc}: \`${token}\` is in no folder of the repository`);
  }
}

const scripts: Record<string, string> = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts ?? {};
const NPM_LIFECYCLE = new Set(['test', 'start', 'stop', 'restart']);

function checkScripts(text: string, doc: string, problems: Problem[]): void {
  for (const m of text.matchAll(/\bnpm\s+run(?:-script)?\s+([A-Za-z0-9][\w:.-]*)/g)) {
    const name = m[1].replace(/[.:-]+$/, '');
    if (!(name in scripts)) problems.push(`${doc}: \`npm run ${name}\` is not a script in package.json`);
  }
  for (const m of text.matchAll(/\bnpm\s+(test|start|stop|restart)\b/g)) {
    if (NPM_LIFECYCLE.has(m[1]) && !(m[1] in scripts))
      problems.push(`${doc}: \`npm ${m[1]}\` has no script in package.json`);
  }
}

function checkLinks(text: string, doc: string, problems: Problem[]): void {
  const here = path.posix.dirname(doc);
  for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue; // URLs, mailto:, anchors
    const file = decodeURIComponent(target.replace(/#.*$/, ''));
    if (file.startsWith('/')) {
      problems.push(`${doc}: link \`${target}\` is absolute; link relative to the page`);
      continue;
    }
    const rel = path.posix.normalize(path.posix.join(here, file));
    if (rel.startsWith('..')) problems.push(`${doc}: link \`${target}\` points outside the repository`);
    else if (!existsSync(path.join(ROOT, rel))) problems.push(`${doc}: link \`${target}\` does not exist`);
  }
}

/** The problems one page has: links, inline code, fenced code and npm scripts. */
export function checkDoc(doc: string, text: string): Problem[] {
  const problems: Problem[] = [];
  checkScripts(text, doc, problems);
  // Fenced blocks first, then remove them so their contents are not read as inline code.
  const prose = text.replace(/^[ \t]*(```|~~~)[^\n]*\n([\s\S]*?)^[ \t]*\1[ \t]*$/gm, (_all, _fence, body: string) => {
    for (const token of body.split(/[\s=]+/)) checkPathToken(token, doc, true, problems);
    return '';
  });
  checkLinks(prose, doc, problems);
  for (const m of prose.matchAll(/(`+)([^`]+?)\1/g)) {
    for (const token of m[2].trim().split(/\s+/)) checkPathToken(token, doc, false, problems);
  }
  return problems;
}

describe('docs name only what exists', () => {
  const docs = docFiles();

  it('finds the README and the docs pages', () => {
    expect(docs).toContain('README.md');
    expect(docs.length).toBeGreaterThan(1);
  });

  it.each(docs)('%s: every path and npm script it names exists', (doc) => {
    const problems = checkDoc(doc, readFileSync(path.join(ROOT, doc), 'utf8'));
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('flags a missing path, a missing script and a path outside the repository', () => {
    const bogus = [
      'See `lib/queue/no-such-file.ts` and [the guide](docs/no-such-page.md).',
      'Run `npm run no-such-script`, then read `../shared/reference/x.md`.',
      '```bash',
      'npx tsx scripts/no-such-script.ts',
      '```',
    ].join('\n');
    const problems = checkDoc('README.md', bogus);
    expect(problems).toHaveLength(5);
    // Words with slashes, routes, URLs, globs that match and placeholders are not problems.
    const fine = [
      '`queued/nlp`, `/api/cron/sync-all`, `https://example.com/a.ts`, `tests/integration/engine-*`,',
      '`lib/<workload>/vocabulary.ts`, `.data/pg`, `claim.ts`, `@/lib/queue`, `npm test`, `npm install`.',
    ].join('\n');
    expect(checkDoc('docs/x.md', fine)).toEqual([]);
  });
});
