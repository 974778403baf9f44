/**
 * tsx scripts/with-db.ts [--seed] -- <command…>
 * Runs a command with DATABASE_URL pointing at a migrated database (embedded when DATABASE_URL is unset),
 * then stops the command before the database.
 */
import { prepareDatabase } from './lib/database';
import { startChild, stopChild } from './lib/children';

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const flags = sep === -1 ? argv : argv.slice(0, sep);
const command = sep === -1 ? [] : argv.slice(sep + 1);
if (command.length === 0) {
  console.error('usage: tsx scripts/with-db.ts [--seed] -- <command…>');
  process.exit(2);
}

const db = await prepareDatabase();
if (flags.includes('--seed')) {
  const { seedDemoData } = await import('./seed');
  await seedDemoData(db.url);
}
const child = startChild(command[0], command[0], command.slice(1), { ...process.env, DATABASE_URL: db.url });
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await stopChild(child);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
const code = await child.exited;
await db.stop();
process.exit(code);
