import { getDb } from '@/lib/db';
import { requireDashboardPage } from '@/lib/auth/page-access';
import { listUsersWithConnections } from '@/lib/dashboard/users';
import { PLATFORM_LABELS } from '@/lib/sync/platforms';
import { UsersView } from '@/components/users/users-view';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Users · Steady' };

export default async function UsersPage() {
  await requireDashboardPage('/users');
  const initialUsers = await listUsersWithConnections(getDb()).catch((err: unknown) => {
    console.error('Users page: could not read users on the server', err);
    return undefined;
  });
  return <UsersView initialUsers={initialUsers} labels={PLATFORM_LABELS} />;
}
