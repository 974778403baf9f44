import { requireApiKeyOrOperator } from '@/lib/auth/guards';
import { getDb } from '@/lib/db';
import { handle, json, otherMethods, parseOr400 } from '@/lib/http';
import { setProfilePaused } from '@/lib/profile/control';
import { Username } from '@/lib/profile/schemas';

export const dynamic = 'force-dynamic';

/** Holds the username's waiting request out of claims (status PAUSED) until it is resumed. */
export const POST = handle(async (req: Request, { params }: { params: Promise<{ username: string }> }) => {
  const denied = requireApiKeyOrOperator(req);
  if (denied) return denied;
  const username = parseOr400(Username, (await params).username, 'username');
  return json(await setProfilePaused(getDb(), { username, paused: true, now: new Date(), actor: 'profile-api' }));
});
export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(['POST']);
