/** fast-check arbitraries for what an attacker or a broken client sends. */
import fc from 'fast-check';

export const SQL_FRAGMENTS = [
  "' OR '1'='1",
  "' OR 1=1 --",
  '1; DROP TABLE jobs; --',
  "'; delete from users; --",
  "x' UNION SELECT password FROM pg_shadow --",
  '1) or (1=1',
  "\\'; select pg_sleep(5); --",
  '$$; drop table jobs; $$',
  "%' and 1=0 union select null --",
];

const PATHS = [
  '../',
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '..\\..\\windows',
  '/./.././',
  '%2e%2e%2f',
  '....//',
];

const ODD = [
  '',
  ' ',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '-1',
  '0',
  '-0',
  '1e309',
  '0x1F',
  '9'.repeat(400),
  '\u0000',
  'a\u0000b',
  '%00',
  '\uFEFF',
  '\u202Eevil',
  '\uD800',
  'Ω≈ç√∫',
  '🙂'.repeat(40),
  '<script>alert(1)</script>',
  '${process.env.CRON_SECRET}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'true',
  '[]',
  '{}',
  'a'.repeat(5_000),
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SQL_FRAGMENTS, ...PATHS, ...ODD),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', minLength: 300, maxLength: 3_000 }),
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    -0,
    0.5,
    1e308,
    -1e308,
    2 ** 31,
    -(2 ** 31) - 1,
    Number.MAX_SAFE_INTEGER + 2,
    1e-300,
    999_999_999,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const scalar = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null));

export const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(
    fc.oneof(fc.constantFrom('__proto__', 'constructor', 'id'), fc.string({ maxLength: 12 })),
    tie('value'),
    {
      maxKeys: 4,
    },
  ),
})).value;

/** The input names the app's routes read, so generated objects often hit a real field with a bad value. */
export const FIELD_NAMES = [
  'limit',
  'timeBudgetMs',
  'olderThanDays',
  'date',
  'userIds',
  'platforms',
  'platform',
  'action',
  'ids',
  'filter',
  'paused',
  'private',
  'password',
  'next',
  'type',
  'jobType',
  'queueName',
  'payload',
  'correlationId',
  'userId',
  'entity',
  'entityName',
  'entityId',
  'priority',
  'maxAttempts',
  'metadata',
  'delayMs',
  'status',
  'result',
  'error',
  'app_id',
  'stage',
  'cursor',
  'q',
  'queue',
  'user',
  'request_id',
  'source',
  'worker',
  'lease_s',
  'peek',
  'error_message',
  'from',
  'to',
  'github',
  'youtube',
];

const fieldName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...FIELD_NAMES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

export const hostileObject = fc.dictionary(fieldName, hostileValue, { minKeys: 1, maxKeys: 5 });

const MALFORMED = [
  '{',
  '{"a":',
  'NaN',
  '{"limit": NaN}',
  '{"limit": Infinity}',
  '[1,2',
  'nul',
  "{'a':1}",
  '{"a":1}garbage',
  '\u0000',
  '{"__proto__":{"admin":true}}',
  '<xml/>',
  'a=1&b=2',
  '{"a":"\\ud800"}',
  '{"a":1,"a":2}',
  `{"limit":${'9'.repeat(500)}}`,
  '[]',
  'null',
  'true',
  '"text"',
  '12',
  '{"ids":"' + '1,'.repeat(5_000) + '"}',
];

export const hostileBody: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...MALFORMED) },
  { weight: 5, arbitrary: hostileObject.map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
);

export const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/xml',
  'multipart/form-data',
  'multipart/form-data; boundary=zz',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  undefined,
);

export const hostileQuery: fc.Arbitrary<string> = fc
  .array(fc.tuple(fieldName, fc.oneof(hostileString, hostileNumber.map(String))), { maxLength: 4 })
  .map((pairs) => new URLSearchParams(pairs).toString());

export const hostileParam: fc.Arbitrary<string> = fc.oneof(
  hostileString.filter((s) => s.length > 0),
  fc.uuid(),
  fc.constantFrom('00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', 'alice', 'default'),
);
