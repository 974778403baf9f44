import { getDb } from '@/lib/db';
import { handle, json, otherMethods } from '@/lib/http';
import { requireOperator } from '@/lib/auth/guards';
import { listUsersWithConnections } from '@/lib/dashboard/users';

export const dynamic = 'force-dynamic';

export const GET = handle(async (req: Request) => {
  const denied = requireOperator(req);
  if (denied) return denied;
  return json({ users: await listUsersWithConnections(getDb()) });
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
