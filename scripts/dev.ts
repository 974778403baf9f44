/**
 * `npm run dev`: database (embedded unless DATABASE_URL), migrations, demo seed, fake platform APIs,
 * the local cron that stands in for Vercel Cron, and `next dev`. `--prod` builds and runs `next start`.
 * Ctrl-C stops them in reverse order: cron, app, fake APIs, then the database.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { prepareDatabase } from './lib/database';
import { startChild, stopChild } from './lib/children';
import { seedDemoData } from './seed';
import { startFakePlatforms } from './fake-platforms';
import { startLocalCron } from './local-cron';
import { runOnce } from './lib/run-once';

const args = process.argv.slice(2);
const prod = args.includes('--prod');
const flagValue = (name: string) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const port = Number(flagValue('--port') ?? process.env.PORT ?? 3000);
const dataDir = flagValue('--data-dir');
const ephemeral = args.includes('--ephemeral');
const log = (l: string) => console.log(`[steady] ${l}`);

const db = await prepareDatabase({ dataDir, ephemeral, port: dataDir ? 0 : undefined });
if (process.env.SEED !== 'off') await seedDemoData(db.url, { log });

const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: db.url,
  PORT: String(port),
  NEXT_TELEMETRY_DISABLED: '1',
};

// Platform APIs: the local fakes unless a real base URL is configured.
const fake =
  process.env.FAKE_PLATFORMS === 'off'
    ? null
    : await startFakePlatforms({ port: Number(process.env.FAKE_PLATFORMS_PORT ?? 0) });
if (fake) {
  for (const [key, url] of Object.entries(fake.baseUrls)) env[key] ??= url;
  log(`fake platform APIs on ${fake.url} (control: ${fake.url}/_control)`);
}

const generated = (name: string, value: string) => {
  if (env[name]) return;
  env[name] = value;
  log(`${name} is not set; using ${prod ? 'a generated value' : 'the development value'}: ${value}`);
};
generated('CRON_SECRET', prod ? randomBytes(18).toString('base64url') : 'dev-cron-secret');
generated('QUEUE_API_KEY', prod ? randomBytes(18).toString('base64url') : 'dev-queue-api-key');
if (prod) generated('DASHBOARD_PASSWORD', randomBytes(9).toString('base64url'));

// process-queue starts further calls of itself on this address (fan-out), as it would on Vercel's.
env.APP_URL ??= `http://127.0.0.1:${port}`;

const nextBin = path.resolve('node_modules/.bin/next');
if (prod && !existsSync(path.join(process.env.NEXT_DIST_DIR || '.next', 'BUILD_ID'))) {
  log('building (next build)…');
  const code = await runOnce(nextBin, ['build'], { ...env, NODE_ENV: 'production' });
  if (code !== 0) {
    await fake?.close();
    await db.stop();
    process.exit(code);
  }
}
const app = startChild('next', nextBin, [prod ? 'start' : 'dev', '-p', String(port)], {
  ...env,
  NODE_ENV: prod ? 'production' : 'development',
});
const baseUrl = `http://localhost:${port}`;
const cron = process.env.LOCAL_CRON === 'off' ? null : startLocalCron({ baseUrl, secret: env.CRON_SECRET!, log });
log(`dashboard: ${baseUrl}`);

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  cron?.stop();
  await stopChild(app);
  await fake?.close();
  await db.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
void app.exited.then((code) => shutdown(code));
