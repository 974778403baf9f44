import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import {
  ControlSchema,
  FaultSchema,
  type ControlInput,
  type Fault,
  type FakeModule,
  type FakeReply,
  type FakeState,
  type QuotaLeft,
} from './types';

export interface FakeStats {
  total: number;
  /** "platform:account" → requests, e.g. "github:octocat": 3. */
  requests: Record<string, number>;
  byPlatform: Record<string, number>;
  /** The most requests each module had in flight at once. */
  maxInFlight: Record<string, number>;
  /** Rate-limit answers (429, or 403 with exhausted rate-limit headers) each module sent. */
  rateLimited: Record<string, number>;
}

export interface FakeControl {
  apply(input: ControlInput): void;
  stats(): FakeStats;
  /** Requests so far for one account on one module (0 when none). */
  count(platform: string, account: string): number;
  faults(): Fault[];
  reset(): void;
}

export interface RunningFake {
  url: string;
  control: FakeControl;
  close(): Promise<void>;
}

const STATUS_TEXT: Record<string, string> = {
  not_found: 'Not Found',
  unauthorized: 'Bad credentials',
  forbidden: 'Forbidden',
  rate_limit: 'API rate limit exceeded',
};

/** Accounts whose name starts with "gone" do not exist on any platform: a 404 without configuring a fault. */
const MISSING_ACCOUNT = /^gone/i;

export async function serveFakes(
  modules: FakeModule[],
  opts: { port?: number; faults?: Fault[] } = {},
): Promise<RunningFake> {
  let faults: Fault[] = [...(opts.faults ?? [])];
  let requests = new Map<string, number>();
  let pinnedNow: Date | null = null;
  let pageSizeOverride: number | null = null;
  let quotas: Record<string, { limit: number; windowSec: number }> = {};
  let windows = new Map<string, { start: number; used: number }>();
  const inFlight = new Map<string, number>();
  let maxInFlight = new Map<string, number>();
  let rateLimited = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string, by = 1) => m.set(k, (m.get(k) ?? 0) + by);
  const state: FakeState = {
    now: () => pinnedNow ?? new Date(),
    pageSize: (requested) => Math.max(1, pageSizeOverride ?? requested),
  };
  const control: FakeControl = {
    apply(input) {
      if (input.clearFaults) faults = [];
      if (input.faults) faults = [...input.faults];
      if (input.addFaults) faults.push(...input.addFaults);
      if (input.resetStats) {
        requests = new Map();
        maxInFlight = new Map();
        rateLimited = new Map();
      }
      if (input.quotas !== undefined) {
        quotas = input.quotas ?? {};
        windows = new Map();
      }
      if (input.now !== undefined) pinnedNow = input.now === null ? null : new Date(input.now);
      if (input.pageSize !== undefined) pageSizeOverride = input.pageSize;
    },
    stats() {
      const byPlatform: Record<string, number> = {};
      let total = 0;
      for (const [key, n] of requests) {
        const platform = key.slice(0, key.indexOf(':'));
        byPlatform[platform] = (byPlatform[platform] ?? 0) + n;
        total += n;
      }
      return {
        total,
        requests: Object.fromEntries(requests),
        byPlatform,
        maxInFlight: Object.fromEntries(maxInFlight),
        rateLimited: Object.fromEntries(rateLimited),
      };
    },
    count: (platform, account) => requests.get(`${platform}:${account.toLowerCase()}`) ?? 0,
    faults: () => faults.map((f) => ({ ...f })),
    reset() {
      faults = [];
      requests = new Map();
      pinnedNow = null;
      pageSizeOverride = null;
      quotas = {};
      windows = new Map();
      maxInFlight = new Map();
      rateLimited = new Map();
    },
  };

  // Faults are matched and their `times` spent before any await, so concurrent requests cannot both use the last one.
  const takeFault = (platform: string, account: string | undefined): Fault | null => {
    const i = faults.findIndex(
      (f) =>
        (!f.platform || f.platform === platform) && (!f.handle || f.handle.toLowerCase() === account?.toLowerCase()),
    );
    if (i === -1) return null;
    const fault = faults[i];
    if (fault.times !== undefined) {
      if (fault.times <= 1) faults.splice(i, 1);
      else faults[i] = { ...fault, times: fault.times - 1 };
    }
    return fault;
  };

  // Fixed windows from the first request: past the limit, a rate-limit answer until the window ends.
  // An answer within the quota says what is left of it, as the real APIs' rate-limit headers do.
  const overQuota = (platform: string): { fault: Fault | null; left?: QuotaLeft } => {
    const q = quotas[platform];
    if (!q) return { fault: null };
    const now = Date.now();
    let w = windows.get(platform);
    if (!w || now - w.start >= q.windowSec * 1000) windows.set(platform, (w = { start: now, used: 0 }));
    const resetSec = Math.max(1, Math.ceil((w.start + q.windowSec * 1000 - now) / 1000));
    if (w.used < q.limit) {
      w.used++;
      return { fault: null, left: { limit: q.limit, remaining: q.limit - w.used, resetSec } };
    }
    return { fault: FaultSchema.parse({ mode: 'rate_limit', retryAfterSec: resetSec }) };
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse, selfUrl: string) => {
    const url = new URL(req.url ?? '/', selfUrl);
    if (url.pathname === '/_control' || url.pathname === '/_control/stats') return serveControl(req, res, url, control);
    const mod = modules.find((m) => url.pathname === m.prefix || url.pathname.startsWith(`${m.prefix}/`));
    if (!mod) return send(res, { status: 404, body: { message: `No fake API mounted at ${url.pathname}` } });
    const sub = url.pathname.slice(mod.prefix.length) || '/';
    for (const route of mod.routes) {
      if ((route.method ?? 'GET') !== req.method) continue;
      const match = route.path.exec(sub);
      if (!match) continue;
      const account = route.account?.({ method: req.method, url, match })?.toLowerCase();
      const key = `${mod.name}:${account ?? '-'}`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
      bump(inFlight, mod.name);
      maxInFlight.set(mod.name, Math.max(maxInFlight.get(mod.name) ?? 0, inFlight.get(mod.name)!));
      res.once('close', () => bump(inFlight, mod.name, -1));
      const quota = overQuota(mod.name);
      const fault =
        takeFault(mod.name, account) ??
        quota.fault ??
        (account && MISSING_ACCOUNT.test(account) ? FaultSchema.parse({ mode: 'not_found' }) : null);
      if (fault?.mode === 'slow') await sleep(fault.delayMs, res);
      else if (fault) {
        if (fault.mode === 'rate_limit') bump(rateLimited, mod.name);
        return send(res, faultReply(mod, fault, state.now()));
      }
      if (res.destroyed) return;
      const reply = await route.serve({ method: req.method, url, match, base: `${selfUrl}${mod.prefix}`, state });
      if (quota.left && mod.quotaHeaders)
        reply.headers = { ...reply.headers, ...mod.quotaHeaders(quota.left, new Date()) };
      return send(res, reply);
    }
    return send(res, {
      status: 404,
      body: mod.errorBody?.(404, `No route for ${req.method} ${sub}`) ?? { message: 'Not Found' },
    });
  };

  let selfUrl = '';
  const server = createServer((req, res) => {
    handleRequest(req, res, selfUrl).catch((err) => send(res, { status: 500, body: { message: String(err) } }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  selfUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: selfUrl,
    control,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function faultReply(mod: FakeModule, fault: Fault, now: Date): FakeReply {
  const body = (status: number, message: string) => mod.errorBody?.(status, message) ?? { message };
  switch (fault.mode) {
    case 'rate_limit': {
      const status = fault.status ?? 429;
      const headers = { ...mod.rateLimitHeaders?.(fault.retryAfterSec, now) };
      if (status === 429) headers['retry-after'] = String(fault.retryAfterSec);
      return { status, headers, body: body(status, STATUS_TEXT.rate_limit) };
    }
    case 'error': {
      const status = fault.status ?? 503;
      return { status, body: body(status, `Fake ${mod.name} failure (${status})`) };
    }
    case 'not_found':
      return { status: 404, body: body(404, STATUS_TEXT.not_found) };
    case 'unauthorized':
      return { status: 401, body: body(401, STATUS_TEXT.unauthorized) };
    case 'forbidden':
      return { status: 403, body: body(403, STATUS_TEXT.forbidden) };
    default:
      return { status: 500, body: body(500, `Unknown fault ${fault.mode}`) };
  }
}

async function serveControl(req: IncomingMessage, res: ServerResponse, url: URL, control: FakeControl) {
  if (url.pathname === '/_control/stats') return send(res, { body: control.stats() });
  if (req.method === 'GET') return send(res, { body: { faults: control.faults() } });
  if (req.method === 'DELETE') {
    control.reset();
    return send(res, { body: { faults: [] } });
  }
  if (req.method !== 'POST') return send(res, { status: 405, body: { message: 'Use GET, POST or DELETE' } });
  let raw = '';
  for await (const chunk of req) {
    raw += chunk;
    if (raw.length > 64 * 1024) return send(res, { status: 413, body: { message: 'Control body too large' } });
  }
  let input: unknown;
  try {
    input = raw.trim() ? JSON.parse(raw) : {};
  } catch {
    return send(res, { status: 400, body: { message: 'Control body is not valid JSON' } });
  }
  const parsed = ControlSchema.safeParse(input);
  if (!parsed.success)
    return send(res, { status: 400, body: { message: 'Invalid control body', details: z.treeifyError(parsed.error) } });
  control.apply(parsed.data);
  return send(res, { body: { faults: control.faults() } });
}

function send(res: ServerResponse, reply: FakeReply) {
  if (res.headersSent || res.destroyed) return;
  const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
  res.writeHead(reply.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
  res.end(text);
}

// Watches the response, not the request: a request's 'close' fires once its (empty) body is read.
const sleep = (ms: number, res: ServerResponse) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    res.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
