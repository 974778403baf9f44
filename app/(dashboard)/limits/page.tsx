import { getDb } from '@/lib/db';
import { requireDashboardPage } from '@/lib/auth/page-access';
import { getLimitEvents, listLimits } from '@/lib/queue';
import { LimitsView } from '@/components/limits/limits-view';
import type { LimitsDto } from '@/lib/dashboard/client/limits';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Limits · Steady' };

export default async function LimitsPage() {
  await requireDashboardPage('/limits');
  const db = getDb();
  const now = new Date();
  const initial = await Promise.all([listLimits(db, { now }), getLimitEvents(db, { limit: 20 })])
    .then(([limits, events]) => JSON.parse(JSON.stringify({ now, limits, events })) as LimitsDto)
    .catch((err: unknown) => {
      console.error('Limits page: could not read limits on the server', err);
      return undefined;
    });
  return <LimitsView initial={initial} />;
}
