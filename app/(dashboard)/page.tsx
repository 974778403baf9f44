import { getDb } from '@/lib/db';
import { requireDashboardPage } from '@/lib/auth/page-access';
import { loadDashboardStats } from '@/lib/dashboard/stats';
import { Overview } from '@/components/queue/overview';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Overview · Steady' };

export default async function OverviewPage() {
  await requireDashboardPage('/');
  // Rendered with numbers in place; if the database is briefly away the client shows the error and retries.
  const initialStats = await loadDashboardStats(getDb(), { now: new Date() }).catch((err: unknown) => {
    console.error('Overview: could not read stats on the server', err);
    return undefined;
  });
  return <Overview initialStats={initialStats} />;
}
