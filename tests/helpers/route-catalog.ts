/**
 * Every route handler under app/, found on disk and called in-process with a real `Request`: the
 * reliability and security suites sweep all of them, so a route added later is covered without edits.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { REFUSAL } from '@/lib/http';

const root = path.resolve(import.meta.dirname, '../..');
export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type Method = (typeof METHODS)[number];

type Handler = (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

export interface Route {
  /** e.g. /api/dashboard/jobs/[id] */
  pattern: string;
  file: string;
  params: string[];
  handlers: Partial<Record<Method, Handler>>;
  /**
   * Methods answered only with a refusal from lib/http (otherMethods' 405, a catch-all's 404): kept out of
   * `handlers`, so the sweeps call what a route serves; tests/integration/api-refusals.test.ts calls these.
   */
  refusals: Partial<Record<Method, Handler>>;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return e.name === 'route.ts' ? [p] : [];
  });
}

export function routeFiles(): string[] {
  return walk(path.join(root, 'app')).sort();
}

export function patternOf(file: string): string {
  const rel = path.relative(path.join(root, 'app'), path.dirname(file)).split(path.sep);
  // Route groups `(name)` do not appear in the URL.
  return `/${rel.filter((s) => !/^\(.*\)$/.test(s)).join('/')}`;
}

/**
 * Imports every route module. Set process.env first: handlers read it through env() on first call.
 * A module that fails to import is returned in `failures` (a suite asserts there are none) rather than
 * hiding every other route from the sweep.
 */
export async function loadRoutes(): Promise<{ routes: Route[]; failures: { file: string; error: string }[] }> {
  const routes: Route[] = [];
  const failures: { file: string; error: string }[] = [];
  for (const file of routeFiles()) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(file)) as Record<string, unknown>;
    } catch (err) {
      failures.push({ file: path.relative(root, file), error: String(err).slice(0, 300) });
      continue;
    }
    const handlers: Route['handlers'] = {};
    const refusals: Route['refusals'] = {};
    for (const m of METHODS) {
      if (typeof mod[m] !== 'function') continue;
      if ((mod[m] as { [REFUSAL]?: true })[REFUSAL]) refusals[m] = mod[m] as Handler;
      else handlers[m] = mod[m] as Handler;
    }
    const pattern = patternOf(file);
    const params = [...pattern.matchAll(/\[(?:\.\.\.)?([^\]]+)\]/g)].map((m) => m[1]);
    routes.push({ pattern, file, params, handlers, refusals });
  }
  return { routes, failures };
}

export interface CallInput {
  params?: Record<string, string>;
  query?: string;
  headers?: Record<string, string>;
  body?: BodyInit | null;
}

export function urlFor(route: Route, params: Record<string, string> = {}, query = ''): string {
  const p = route.pattern.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, (_, name: string) => safeEncode(params[name] ?? 'x'));
  return `http://localhost${p}${query ? `?${query}` : ''}`;
}

// A lone surrogate cannot be percent-encoded; the handler still gets the raw value through `params`.
function safeEncode(value: string): string {
  return encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, (c, i, all) => (isPaired(all, i) ? c : '\uFFFD')));
}

function isPaired(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c <= 0xdbff) return i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
  return i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff;
}

export async function callRoute(route: Route, method: Method, input: CallInput = {}): Promise<Response> {
  const handler = route.handlers[method];
  if (!handler) throw new Error(`${route.pattern} has no ${method}`);
  const params: Record<string, string> = {};
  for (const name of route.params) params[name] = input.params?.[name] ?? 'x';
  const init: RequestInit & { duplex?: 'half' } = { method, headers: input.headers };
  if (method !== 'GET' && input.body !== undefined && input.body !== null) {
    init.body = input.body;
    init.duplex = 'half';
  }
  // NextRequest, as Next.js passes: a handler may read req.nextUrl or req.cookies.
  const req = new NextRequest(urlFor(route, params, input.query), init as ConstructorParameters<typeof NextRequest>[1]);
  return handler(req, { params: Promise.resolve(params) });
}

/** The response's status and parsed body; `json` is undefined when the body is not JSON. */
export async function readResponse(
  res: Response,
): Promise<{ status: number; text: string; json: unknown; type: string }> {
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, type: res.headers.get('content-type') ?? '' };
}

/**
 * The environment every route module reads once, for suites that call all of them: a test database,
 * the given secrets, and platform URLs on a closed local port so no call can leave the machine.
 */
export function setRouteEnv(
  databaseUrl: string,
  s: { cronSecret: string; apiKey: string; password: string; sessionSecret: string },
): void {
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    NODE_ENV: 'test',
    CRON_SECRET: s.cronSecret,
    QUEUE_API_KEY: s.apiKey,
    DASHBOARD_PASSWORD: s.password,
    SESSION_SECRET: s.sessionSecret,
    GITHUB_API_URL: 'http://127.0.0.1:9/github',
    YOUTUBE_API_URL: 'http://127.0.0.1:9/youtube',
    TWITTER_API_URL: 'http://127.0.0.1:9/twitter',
    INSTAGRAM_API_URL: 'http://127.0.0.1:9/instagram',
  });
}
