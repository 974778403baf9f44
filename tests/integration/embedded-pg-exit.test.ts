import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const child = path.resolve(import.meta.dirname, '../helpers/exit-code-child.ts');

describe('embedded PostgreSQL and the process exit code', () => {
  // The package's exit hooks once turned a failing test run (exit code 1) into success (0).
  it('leaves a process that ran it to exit with its own code', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', child, '3'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr.slice(-2000)).not.toMatch(/Error/);
    expect(run.status).toBe(3);
  });
});
