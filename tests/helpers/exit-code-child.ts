/**
 * Starts and stops an embedded PostgreSQL in a fresh data directory (so the package is imported and
 * initdb runs), then leaves with the exit code given as argv[2] by letting the event loop drain, as a
 * test runner does after a failing run.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../scripts/lib/embedded-pg';

const dir = mkdtempSync(path.join(tmpdir(), 'steady-exit-code-'));
chmodSync(dir, 0o755); // the server runs as user postgres
try {
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), ephemeral: true });
  await pg.stop();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = Number(process.argv[2]);
