import { getDb } from '@/lib/db';
import { handle, json, otherMethods } from '@/lib/http';
import { getLimitEvents, listLimits } from '@/lib/queue';
import { authorizeLimits } from '@/lib/limits-input';

export const dynamic = 'force-dynamic';

/** Every limit with what runs under it, its tokens and cool-down, and the latest changes. */
export const GET = handle(async (req: Request) => {
  const auth = authorizeLimits(req);
  if ('denied' in auth) return auth.denied;
  const db = getDb();
  const now = new Date();
  const [limits, events] = await Promise.all([listLimits(db, { now }), getLimitEvents(db, { limit: 20 })]);
  return json({ now: now.toISOString(), limits, events });
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
