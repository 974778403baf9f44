import type { TestDb } from './test-db';

export const TEST_API_KEY = 'test-queue-api-key';

/**
 * Points the app's env()/getDb() at a test database. Call before the first route handler runs:
 * env() is parsed once per process and getDb() keeps one pool.
 */
export function useAppEnv(t: TestDb, extra: Record<string, string> = {}): void {
  Object.assign(process.env, { DATABASE_URL: t.url, QUEUE_API_KEY: TEST_API_KEY, DATABASE_POOL_MAX: '10', ...extra });
}

/** Ends the app's pool so the test database can be dropped cleanly. */
export async function closeAppDb(): Promise<void> {
  const g = globalThis as unknown as { steadyDb?: { client: { end(o: { timeout: number }): Promise<void> } } };
  await g.steadyDb?.client.end({ timeout: 5 });
  g.steadyDb = undefined;
}

export interface CallOptions {
  body?: unknown;
  /** undefined → the test key; null → no Authorization header; a string → that bearer. */
  key?: string | null;
  headers?: Record<string, string>;
  params?: Record<string, string>;
}

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** Calls a route handler as Next would, returning the status and parsed JSON body. */
export async function call(
  handler: unknown,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { ...opts.headers };
  const key = opts.key === undefined ? TEST_API_KEY : opts.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  }
  const req = new Request(`http://localhost${path}`, { method, headers, body });
  const res = await (handler as Handler)(req, { params: Promise.resolve(opts.params ?? {}) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
