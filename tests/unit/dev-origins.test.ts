/**
 * `next dev` serves its scripts only to origins it allows: the dashboard opened at 127.0.0.1 (not only
 * localhost) must get them, or it renders and never runs. Checked with Next's own gate.
 */
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type { NextConfig } from 'next';

const require = createRequire(import.meta.url);
const { blockCrossSiteDEV } = require('next/dist/server/lib/router-utils/block-cross-site-dev.js') as {
  blockCrossSiteDEV: (req: unknown, res: unknown, allowed: string[] | undefined, hostname?: string) => boolean;
};
const nextConfig = (require('../../next.config.mjs') as { default: NextConfig }).default;

function blocked(origin: string, allowed = nextConfig.allowedDevOrigins) {
  const req = {
    url: '/_next/static/chunks/app.js',
    headers: { origin, 'sec-fetch-mode': 'cors', 'sec-fetch-site': 'same-origin' },
  };
  const res = { statusCode: 200, end: () => {} };
  // next dev started on its default host, localhost.
  return blockCrossSiteDEV(req, res, allowed, 'localhost');
}

describe('development origins', () => {
  it('serves the dev scripts to the dashboard at localhost and at 127.0.0.1', () => {
    expect(blocked('http://localhost:3000')).toBe(false);
    expect(blocked('http://127.0.0.1:3000')).toBe(false);
  });
  it('blocks another origin, as Next does, and would block 127.0.0.1 without the setting', () => {
    expect(blocked('http://evil.example:3000')).toBe(true);
    expect(blocked('http://127.0.0.1:3000', [])).toBe(true);
  });
});
