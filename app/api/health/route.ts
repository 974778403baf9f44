import { sql } from 'drizzle-orm';
import { getDb } from '@/lib/db';
import { handle, json } from '@/lib/http';

export const dynamic = 'force-dynamic';

export const GET = handle(async () => {
  await getDb().execute(sql`select 1`);
  return json({ ok: true });
});
