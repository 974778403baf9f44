import { requireApiKeyOrOperator } from '@/lib/auth/guards';
import { getDb } from '@/lib/db';
import { handle, json, otherMethods, parseOr400 } from '@/lib/http';
import { processSoon } from '@/lib/process-soon';
import { setProfilePaused } from '@/lib/profile/control';
import { Username } from '@/lib/profile/schemas';

export const dynamic = 'force-dynamic';

/** Returns a PAUSED request to PENDING, so the next claim can take it. */
export const POST = handle(async (req: Request, { params }: { params: Promise<{ username: string }> }) => {
  const denied = requireApiKeyOrOperator(req);
  if (denied) return denied;
  const username = parseOr400(Username, (await params).username, 'username');
  const db = getDb();
  const status = await setProfilePaused(db, { username, paused: false, now: new Date(), actor: 'profile-api' });
  processSoon(db);
  return json(status);
});
export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(['POST']);
