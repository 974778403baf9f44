import 'server-only';
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { QueueError, type QueueErrorCode } from '@/lib/queue';
import { EnvError } from '@/lib/env';
import { BodyTooLarge, readCappedBody } from '@/lib/capped-body';

export const MAX_BODY_BYTES = 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const json = (data: unknown, status = 200, headers?: HeadersInit) =>
  Response.json(data, { status, headers: { 'cache-control': 'no-store', ...headers } });

export const errorJson = (status: number, error: string, details?: unknown, headers?: HeadersInit) =>
  json(details === undefined ? { error } : { error, details: errorDetails(details) }, status, headers);

/**
 * One shape for `details` on every refusal: an object. A validation failure lists its problems as
 * `issues: [{ path, message }]`; other refusals name their context (`current`, `allowed`, `job_id`…).
 */
export function errorDetails(details: unknown): Record<string, unknown> {
  if (Array.isArray(details)) {
    const issues = details.map((i: { path?: unknown; message?: unknown }) => ({
      path: Array.isArray(i?.path) ? i.path.join('.') || '(root)' : typeof i?.path === 'string' ? i.path : '(root)',
      message: typeof i?.message === 'string' ? i.message : String(i),
    }));
    return { issues };
  }
  if (details !== null && typeof details === 'object') return details as Record<string, unknown>;
  return { value: details };
}

export function zodDetails(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
}

export function badRequest(error: z.ZodError, what = 'request'): Response {
  const details = zodDetails(error);
  const first = details[0];
  return errorJson(400, `Invalid ${what}: ${first.path} ${first.message}`.slice(0, 300), details);
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Hashing both sides first makes the comparison constant-time whatever the lengths. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/**
 * Bearer check for cron and API-key routes: null when allowed, else the response to send.
 * An unset secret refuses everyone (503) rather than letting everyone in.
 */
export function requireBearer(req: Request, secret: string | undefined, name: string): Response | null {
  return requireAnyBearer(req, [secret], name);
}

/**
 * As requireBearer, for a route that takes any of several secrets (unset ones are skipped). Every set
 * secret is compared, so the time taken does not tell which one came close.
 */
export function requireAnyBearer(req: Request, secrets: (string | undefined)[], name: string): Response | null {
  const set = secrets.filter((s): s is string => !!s);
  if (set.length === 0) return errorJson(503, `${name} is not configured on the server, so this route is closed`);
  const token = bearerToken(req);
  let ok = false;
  for (const secret of set) ok = safeEqual(token ?? '', secret) || ok;
  if (token === null || !ok) {
    return errorJson(401, 'Missing or invalid bearer token', undefined, { 'www-authenticate': 'Bearer' });
  }
  return null;
}

/** The token of an `Authorization: Bearer …` header; null when there is none. */
export function bearerToken(req: Request): string | null {
  const header = req.headers.get('authorization') ?? '';
  // The scheme is case-insensitive (RFC 9110 §11.1); the token is not.
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match ? match[1] : null;
}

/**
 * The JSON body, or {} when there is none (curl -X POST without -d, Vercel Cron's GET).
 * Size is checked before parsing so an oversized body is refused without being held in memory.
 */
export async function readJson(req: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  if (req.method === 'GET' || req.method === 'HEAD') return {};
  const text = await readLimited(req, maxBytes);
  if (text.trim() === '') return {};
  const type = req.headers.get('content-type') ?? '';
  if (type && !/^application\/(.+\+)?json\b/i.test(type) && !/^application\/x-www-form-urlencoded/i.test(type)) {
    throw new HttpError(415, `Content-Type must be application/json (got ${type.slice(0, 80)})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Request body is not valid JSON');
  }
}

/**
 * An HTML form post (application/x-www-form-urlencoded) as a plain object, with the same size limit as
 * JSON bodies. Multipart is refused: no route here takes file uploads.
 */
export async function readForm(req: Request, maxBytes = MAX_BODY_BYTES): Promise<Record<string, string>> {
  const type = req.headers.get('content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded/i.test(type)) {
    throw new HttpError(
      415,
      `Content-Type must be application/x-www-form-urlencoded or application/json (got ${type.slice(0, 80)})`,
    );
  }
  return Object.fromEntries(new URLSearchParams(await readLimited(req, maxBytes)));
}

async function readLimited(req: Request, maxBytes: number): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readCappedBody(req, maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw new HttpError(413, `Request body is larger than ${maxBytes} bytes`);
    throw err;
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    // Replacing the bad bytes would store text the client never sent.
    throw new HttpError(400, 'Request body is not valid UTF-8');
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Query-string parameters as a plain object (repeated keys become arrays). */
export function queryObject(req: Request): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URL(req.url).searchParams) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** GET carries its input in the query; POST in the body, with the query as defaults. */
export async function readInput(req: Request): Promise<Record<string, unknown>> {
  const query = queryObject(req);
  const body = await readJson(req);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'Request body must be a JSON object');
  }
  return { ...query, ...(body as Record<string, unknown>) };
}

const STATUS_BY_CODE: Record<QueueErrorCode, number> = {
  not_found: 404,
  conflict: 409,
  invalid_transition: 409,
  invalid_input: 400,
  unknown_type: 400,
  payload_too_large: 413,
};

// Seen from postgres.js (wrapped by drizzle as the error's cause) while a server stops, restarts or is
// unreachable: socket errors, its own CONNECT_TIMEOUT/CONNECTION_*, and PostgreSQL's shutdown and
// connection SQLSTATEs. DNS failures too: a managed database's host can stop resolving for a while.
const DB_DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
  '53300',
]);

// PostgreSQL cannot store U+0000 in text (22021) or jsonb (22P05): the client sent it, so it is a 400.
const UNSTORABLE_INPUT_CODES = new Set(['22021', '22P05']);

/** The first code from `codes` on the error or its causes (drizzle wraps the driver's error). */
function findCode(err: unknown, codes: Set<string>): string | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && codes.has(code)) return code;
  }
  return null;
}

export function isDatabaseUnavailable(err: unknown): boolean {
  return findCode(err, DB_DOWN_CODES) !== null;
}

/** The single place errors become HTTP: known codes map to 4xx; the rest are logged and neutral. */
export function toResponse(err: unknown): Response {
  if (err instanceof HttpError) return errorJson(err.status, err.message, err.details);
  if (err instanceof QueueError) return errorJson(STATUS_BY_CODE[err.code], err.message, err.details);
  if (err instanceof z.ZodError) return badRequest(err);
  if (err instanceof EnvError) {
    console.error(err.message);
    return errorJson(503, 'The server is misconfigured; see its log for the setting to fix');
  }
  if (findCode(err, UNSTORABLE_INPUT_CODES)) {
    return errorJson(400, 'Invalid input: text must not contain the NUL character (\\u0000)');
  }
  const down = findCode(err, DB_DOWN_CODES);
  if (down) {
    // The code only: the error's text can carry the failed statement and its parameters.
    console.error(`Database unavailable (${down}); answering 503`);
    return errorJson(503, 'The database is unavailable right now; try again shortly', undefined, {
      'retry-after': '5',
    });
  }
  console.error('Unhandled error in route:', err);
  return errorJson(500, 'Internal error');
}

/** Wraps a route handler so nothing it throws escapes as an unformatted 500. */
export function handle<A extends unknown[]>(fn: (...args: A) => Promise<Response>) {
  return async (...args: A): Promise<Response> => {
    try {
      return await fn(...args);
    } catch (err) {
      return toResponse(err);
    }
  };
}

/** Parses with a zod schema; a failure becomes a 400 naming the field. */
export function parseOr400<T>(schema: z.ZodType<T>, input: unknown, what = 'request'): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const details = zodDetails(parsed.error);
    throw new HttpError(400, `Invalid ${what}: ${details[0].path} ${details[0].message}`.slice(0, 300), details);
  }
  return parsed.data;
}

/** The methods a route module may serve; HEAD follows GET and OPTIONS is answered for every route. */
export const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

/** Set on the handlers below, so the route sweeps (tests/helpers/route-catalog.ts) can tell a refusal from a route. */
export const REFUSAL = Symbol.for('steady.http.refusal');
export type RefusalHandler = ((req: Request) => Promise<Response>) & { readonly [REFUSAL]: true };

const refusal = (fn: (req: Request) => Response): RefusalHandler =>
  Object.assign(async (req: Request) => fn(req), { [REFUSAL]: true as const });

const pathOf = (req: Request) => new URL(req.url).pathname;

type Refused<A extends RouteMethod> = Exclude<RouteMethod, A> | 'OPTIONS' | ('GET' extends A ? never : 'HEAD');

/**
 * The handlers a route module does not define, each a JSON 405 with `Allow` (OPTIONS a 204 with it):
 * `export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET', 'POST']);`. Without them Next
 * answers an empty 405, and its own OPTIONS would list these as allowed. The method is refused before
 * the route's guard, as Next's own 405 is: it says only which methods the path serves.
 */
export function otherMethods<const A extends readonly RouteMethod[]>(
  allowed: A,
): Record<Refused<A[number]>, RefusalHandler> {
  const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : []), 'OPTIONS'];
  const headers = { allow: allow.join(', ') };
  const refuse = refusal((req) =>
    json({ error: `Method ${req.method} is not allowed on ${pathOf(req)}`, allowed: allow }, 405, headers),
  );
  const out: Record<string, RefusalHandler> = {
    OPTIONS: refusal(() => new Response(null, { status: 204, headers })),
  };
  for (const m of [...ROUTE_METHODS, 'HEAD'] as const) {
    if (!(allow as string[]).includes(m)) out[m] = refuse;
  }
  return out as Record<Refused<A[number]>, RefusalHandler>;
}

/** Every method of a catch-all under an API prefix: a JSON 404 instead of Next's HTML page. */
export function noRoute(): Record<RouteMethod | 'HEAD' | 'OPTIONS', RefusalHandler> {
  const refuse = refusal((req) => errorJson(404, `No route for ${req.method} ${pathOf(req)}`));
  return { GET: refuse, POST: refuse, PUT: refuse, PATCH: refuse, DELETE: refuse, HEAD: refuse, OPTIONS: refuse };
}
