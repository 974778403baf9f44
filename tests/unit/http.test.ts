import { describe, expect, it } from 'vitest';
import { HttpError, readJson, requireBearer, safeEqual } from '@/lib/http';

const req = (headers: Record<string, string> = {}, body?: string, method = 'POST') =>
  new Request('http://x/api', { method, headers, body });

describe('bearer check', () => {
  const secret = 'correct-horse-battery';
  it('refuses everyone when the secret is unset', async () => {
    const res = requireBearer(req({ authorization: 'Bearer anything' }), undefined, 'CRON_SECRET');
    expect(res?.status).toBe(503);
    expect((await res!.json()).error).toMatch(/CRON_SECRET is not configured/);
  });

  it.each([
    ['no header', {}],
    ['wrong scheme', { authorization: `Basic ${secret}` }],
    ['wrong token', { authorization: 'Bearer nope' }],
    ['prefix', { authorization: `Bearer x${secret}` }],
    ['suffix', { authorization: `Bearer ${secret}x` }],
    ['case', { authorization: `Bearer ${secret.toUpperCase()}` }],
    ['empty', { authorization: 'Bearer ' }],
  ])('401 for %s', (_name, headers) => {
    expect(requireBearer(req(headers), secret, 'CRON_SECRET')?.status).toBe(401);
  });

  it('lets the right token through', () => {
    expect(requireBearer(req({ authorization: `Bearer ${secret}` }), secret, 'CRON_SECRET')).toBeNull();
  });

  it('compares any lengths', () => {
    expect(safeEqual('a', 'a')).toBe(true);
    expect(safeEqual('a', 'ab')).toBe(false);
  });
});

describe('readJson', () => {
  it('reads an empty body as {}', async () => {
    expect(await readJson(req({}, ''))).toEqual({});
    expect(await readJson(req({}, undefined, 'GET'))).toEqual({});
  });

  it('rejects malformed JSON with 400', async () => {
    await expect(readJson(req({ 'content-type': 'application/json' }, '{nope'))).rejects.toMatchObject({ status: 400 });
  });

  it('rejects a body over the limit with 413, by header or by stream', async () => {
    await expect(readJson(req({ 'content-length': '99999999' }, '{}'))).rejects.toMatchObject({ status: 413 });
    await expect(readJson(req({}, JSON.stringify({ a: 'x'.repeat(2000) })), 1000)).rejects.toBeInstanceOf(HttpError);
  });

  it('rejects a non-JSON content type with 415', async () => {
    await expect(readJson(req({ 'content-type': 'text/plain' }, '{}'))).rejects.toMatchObject({ status: 415 });
  });
});
