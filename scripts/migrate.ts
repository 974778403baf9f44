/**
 * `npm run db:migrate`: applies the committed migrations to DATABASE_URL, or to the embedded
 * PostgreSQL under .data/pg when it is unset (started for the purpose, and stopped again).
 */
import { prepareDatabase } from './lib/database';

const db = await prepareDatabase({ log: (l) => console.log(`[db] ${l}`) });
await db.stop();
