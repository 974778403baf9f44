/**
 * Property-based fuzzing of every route handler under app/ with the credentials it needs, so the input
 * itself is what is tested: malformed JSON, wrong types, extreme numbers, long and odd strings, SQL
 * and path fragments in bodies, queries and path parameters, wrong content types, oversized bodies.
 * Every answer must be below 500; every refusal a JSON `{ error }` that says something; and a refused
 * request must leave every table exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { callRoute, loadRoutes, readResponse, type Method, type Route, setRouteEnv } from '../helpers/route-catalog';
import { credentialsFor, guardOf, type Secrets } from '../helpers/route-access';
import { captureOutput } from '../helpers/output-capture';
import {
  FIELD_NAMES,
  SQL_FRAGMENTS,
  contentType,
  hostileBody,
  hostileParam,
  hostileQuery,
} from '../helpers/hostile-input';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const S: Secrets = {
  cronSecret: 'Fuzz-Cron-Secret-8Kq2',
  apiKey: 'Fuzz-Queue-Api-Key-3Vb7',
  password: 'Fuzz-Dash-Password-5Tn1',
  sessionSecret: 'Fuzz-Session-Secret-0Px4',
};
const USER_ID = '00000000-0000-4000-8000-0000000000f1';

const t: TestDb = await createTestDb();
setRouteEnv(t.url, S);
const { routes, failures } = await loadRoutes();
const output = captureOutput();
const answers: string[] = [];
const tally = { requests: 0, refused: 0, accepted: 0, byStatus: new Map<number, number>() };

let snapshotSql = '';
async function snapshot(): Promise<string> {
  const rows = await t.db.execute(sql.raw(snapshotSql));
  return rows.map((r) => `${r.t}:${r.n}:${r.h}`).join(' ');
}

beforeAll(async () => {
  await t.db.execute(sql`
    insert into users (id, username, display_name, github_private) values (${USER_ID}, 'alice', 'Alice', true)`);
  await t.db.execute(sql`
    insert into platform_connections (user_id, platform, handle) values (${USER_ID}, 'youtube', 'alice-yt')`);
  // A job in a queue whose name is itself an injection attempt: filters must find it as plain text.
  await t.db.execute(sql`
    insert into jobs (queue, type, payload, status, completed_at)
    values (${SQL_FRAGMENTS[0]}, 'fuzz.marker', '{}', 'completed', now())`);
  const [{ q }] = await t.db.execute(sql`
    select string_agg(format('select %L as t, count(*) as n, md5(coalesce(string_agg(x::text, %L order by x::text), %L)) as h from %I x',
                             table_name, '|', '', table_name), ' union all ' order by table_name) as q
    from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
  snapshotSql = String(q);
});
afterAll(async () => {
  output.restore();
  console.log(
    `[security-fuzz] ${tally.requests} fuzzed requests over ${calls.length} route methods: ${tally.refused} refused, ` +
      `${tally.accepted} accepted; statuses ${JSON.stringify(Object.fromEntries([...tally.byStatus].sort((a, b) => a[0] - b[0])))}`,
  );
  await t.close();
});

interface Sent {
  params: Record<string, string>;
  query: string;
  body?: string;
  type?: string;
}

/** One request; asserts the invariants on its answer, and that a refusal wrote nothing. */
async function probe(route: Route, method: Method, sent: Sent) {
  const guard = guardOf(route.pattern)!;
  const before = await snapshot();
  const headers: Record<string, string> = { ...credentialsFor(guard, S) };
  if (sent.type) headers['content-type'] = sent.type;
  const res = await callRoute(route, method, { params: sent.params, query: sent.query, headers, body: sent.body });
  const r = await readResponse(res);
  const what = `${method} ${route.pattern} ${JSON.stringify(sent).slice(0, 400)} → ${r.status} ${r.text.slice(0, 300)}`;
  tally.requests++;
  tally.byStatus.set(r.status, (tally.byStatus.get(r.status) ?? 0) + 1);
  answers.push(`${r.status} ${JSON.stringify([...res.headers])} ${r.text.slice(0, 2_000)}`);
  expect(r.status, what).toBeLessThan(500);
  if (r.status >= 400) {
    tally.refused++;
    expect(r.type, what).toMatch(/application\/json/);
    const error = (r.json as { error?: unknown })?.error;
    expect(typeof error, what).toBe('string');
    expect((error as string).length, what).toBeGreaterThanOrEqual(8);
    // Only sign-in may say 401 here: every other route was given the credential it needs.
    if (r.status === 401) expect(route.pattern, what).toBe('/api/auth/login');
    expect(await snapshot(), `${what}\nthe refused request changed the database`).toBe(before);
  } else {
    tally.accepted++;
  }
}

const calls = routes.flatMap((route) => (Object.keys(route.handlers) as Method[]).map((method) => ({ route, method })));
const paramsArb = (route: Route) =>
  fc.record(Object.fromEntries(route.params.map((p) => [p, hostileParam])) as Record<string, fc.Arbitrary<string>>);

describe('hostile input', () => {
  it('every route module loads and has a known guard', () => {
    expect(failures).toEqual([]);
    expect(calls.filter((c) => !guardOf(c.route.pattern)).map((c) => c.route.pattern)).toEqual([]);
  });

  for (const { route, method } of calls) {
    it(`${method} ${route.pattern}: never 5xx, refusals are JSON and write nothing`, async () => {
      const withBody = method !== 'GET';
      const arb = fc.record({
        params: paramsArb(route),
        query: hostileQuery,
        body: withBody ? fc.option(hostileBody, { nil: undefined }) : fc.constant(undefined),
        type: withBody ? contentType : fc.constant(undefined),
      });
      // Sign-in pauses 400 ms on a wrong password by design; fewer runs keep the suite quick.
      const numRuns = route.pattern === '/api/auth/login' ? Math.ceil(RUNS / 3) : RUNS;
      await fc.assert(
        fc.asyncProperty(arb, (sent) => probe(route, method, sent)),
        { numRuns },
      );
    }, 120_000);
  }

  it('a NUL character in any path parameter, query field or body field is refused, not a 500', async () => {
    // PostgreSQL text cannot hold U+0000: a value that reaches SQL unvalidated fails there.
    const NUL = 'a\u0000b';
    const failures: string[] = [];
    const check = async (route: Route, method: Method, sent: Sent) => {
      const headers: Record<string, string> = { ...credentialsFor(guardOf(route.pattern)!, S) };
      if (sent.body !== undefined) headers['content-type'] = 'application/json';
      // A GET that refuses has nothing to write; the fuzzing above checks that too, so skip the snapshots.
      const before = method === 'GET' ? '' : await snapshot();
      const r = await readResponse(
        await callRoute(route, method, { params: sent.params, query: sent.query, headers, body: sent.body }),
      );
      answers.push(`${r.status} ${r.text.slice(0, 300)}`);
      const what = `${method} ${route.pattern} ${JSON.stringify(sent)} → ${r.status} ${r.text.slice(0, 120)}`;
      if (r.status >= 500) failures.push(what);
      else if (method !== 'GET' && r.status >= 400 && (await snapshot()) !== before)
        failures.push(`${what} (and it wrote)`);
    };
    const base = { id: USER_ID, job_id: USER_ID, name: 'default', app_id: 'nul-app', username: 'alice' };
    for (const { route, method } of calls) {
      if (route.pattern === '/api/auth/login') continue; // each wrong password costs 400 ms; fuzzed above
      for (const p of route.params) await check(route, method, { params: { ...base, [p]: NUL }, query: '' });
      // GET reads its input from the query, the others from the body (the fuzzing above mixes both).
      for (const f of FIELD_NAMES) {
        if (method === 'GET')
          await check(route, method, { params: base, query: new URLSearchParams({ [f]: NUL }).toString() });
        else await check(route, method, { params: base, query: '', body: JSON.stringify({ [f]: NUL }) });
      }
      // Inside free-form JSON (a job's payload, metadata or result), where no schema looks at the text.
      if (method !== 'GET') {
        for (const body of [
          { type: 'document.review', payload: { note: NUL } },
          { type: 'document.review', metadata: { note: NUL } },
          { status: 'completed', result: { note: NUL } },
          { status: 'completed', stage: 'done', result: { note: NUL } },
        ])
          await check(route, method, { params: base, query: '', body: JSON.stringify(body) });
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('bodies over 1 MB are refused with 413, declared or streamed, as JSON or as a form', async () => {
    const big = JSON.stringify({ limit: 1, padding: 'x'.repeat(1024 * 1024) });
    const bigForm = `password=${'x'.repeat(1024 * 1024)}`;
    const params = { id: USER_ID, username: 'alice', job_id: USER_ID, name: 'default', app_id: 'x' };
    let checked = 0;
    for (const { route, method } of calls.filter((c) => c.method !== 'GET')) {
      const guard = guardOf(route.pattern)!;
      const send = async (body: BodyInit, type: string, length?: number) => {
        const headers: Record<string, string> = { ...credentialsFor(guard, S), 'content-type': type };
        if (length !== undefined) headers['content-length'] = String(length);
        const before = await snapshot();
        const r = await readResponse(await callRoute(route, method, { params, headers, body }));
        answers.push(`${r.status} ${r.text.slice(0, 500)}`);
        if (r.status >= 400) expect(await snapshot(), `${method} ${route.pattern} → ${r.status}`).toBe(before);
        return r;
      };
      // Only a route that reads a body has to refuse a big one: the others may answer without reading it.
      const probeMalformed = await send('{', 'application/json');
      const readsBody =
        probeMalformed.status === 400 && /JSON/i.test(String((probeMalformed.json as { error?: string })?.error));
      const tries: [string, () => Promise<Awaited<ReturnType<typeof send>>>][] = [
        ['declared JSON', () => send(big, 'application/json', Buffer.byteLength(big))],
        // A stream has no length to read up front: the limit must hold while reading.
        ['streamed JSON', () => send(new Blob([big]).stream() as unknown as BodyInit, 'application/json')],
        [
          'streamed form',
          () => send(new Blob([bigForm]).stream() as unknown as BodyInit, 'application/x-www-form-urlencoded'),
        ],
      ];
      for (const [how, attempt] of tries) {
        const r = await attempt();
        const what = `${method} ${route.pattern} ${how} → ${r.status} ${r.text.slice(0, 200)}`;
        expect(r.status, what).toBeLessThan(500);
        if (readsBody) expect(r.status, what).toBe(413);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('a job payload over 64 KB is refused with 413 and nothing is written', async () => {
    const jobs = routes.find((r) => r.pattern === '/api/jobs')!;
    const send = async (bytes: number) => {
      const before = await snapshot();
      const body = JSON.stringify({ type: 'document.review', payload: { blob: 'x'.repeat(bytes) } });
      const r = await readResponse(
        await callRoute(jobs, 'POST', {
          headers: { ...credentialsFor('api-key', S), 'content-type': 'application/json' },
          body,
        }),
      );
      answers.push(`${r.status} ${r.text.slice(0, 500)}`);
      return { r, unchanged: (await snapshot()) === before };
    };
    const big = await send(70 * 1024);
    expect(big.r.status, big.r.text.slice(0, 200)).toBe(413);
    expect((big.r.json as { error?: string }).error).toMatch(/64|65536|limit/i);
    expect(big.unchanged).toBe(true);
    const small = await send(1024);
    expect(small.r.status, small.r.text.slice(0, 200)).toBe(201);
  });

  it('SQL fragments in filters, search and ids are data: they match nothing, or exactly the row that holds them', async () => {
    const list = routes.find((r) => r.pattern === '/api/dashboard/jobs')!;
    const cookie = credentialsFor('operator', S);
    const get = async (query: string) => {
      const r = await readResponse(await callRoute(list, 'GET', { query, headers: cookie }));
      answers.push(`${r.status} ${r.text.slice(0, 500)}`);
      return r;
    };
    for (const fragment of SQL_FRAGMENTS) {
      for (const key of ['q', 'type', 'stage', 'queue']) {
        const r = await get(new URLSearchParams({ [key]: `${fragment}-nothing-like-it` }).toString());
        expect(r.status, `${key}=${fragment}`).toBe(200);
        expect(JSON.stringify(r.json).match(/"id":"[0-9a-f-]{36}"/g) ?? [], `${key}=${fragment}`).toEqual([]);
      }
    }
    const exact = await get(new URLSearchParams({ queue: SQL_FRAGMENTS[0] }).toString());
    expect(exact.status).toBe(200);
    const found = JSON.stringify(exact.json).match(/"id":"[0-9a-f-]{36}"/g) ?? [];
    expect(found.length).toBe(1);
    const tables = await t.db.execute(
      sql`select count(*)::int as n from information_schema.tables where table_schema = 'public'`,
    );
    expect(Number(tables[0].n)).toBeGreaterThan(5);
  });

  it('no secret appears in any answer or in the log, and nothing was logged as an unhandled route error', () => {
    const text = answers.join('\n');
    const log = output.text();
    for (const secret of Object.values(S)) {
      expect(text.includes(secret), `an answer contains ${secret}`).toBe(false);
      expect(log.includes(secret), `the log contains ${secret}`).toBe(false);
    }
    expect(log).not.toContain('Unhandled error in route');
  });
});
