import { Suspense } from 'react';
import { getDb } from '@/lib/db';
import { requireDashboardPage } from '@/lib/auth/page-access';
import { JOBS_PAGE_SIZE, filtersFromParams } from '@/lib/dashboard/client/filters';
import { listJobPage } from '@/lib/dashboard/jobs';
import { loadDashboardStats } from '@/lib/dashboard/stats';
import { JobsView } from '@/components/jobs/jobs-view';
import { LoadingState } from '@/components/ui/states';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Jobs · Steady' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function JobsPage({ searchParams }: { searchParams: SearchParams }) {
  const raw = await searchParams;
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') query.set(k, v);
  await requireDashboardPage(`/jobs${query.size > 0 ? `?${query}` : ''}`);

  const filters = filtersFromParams(query);
  const cursor = query.get('cursor') ?? undefined;
  const initialParams = { ...filters, cursor, limit: JOBS_PAGE_SIZE };
  const db = getDb();
  const now = new Date();
  // A bad cursor or a database hiccup leaves the table to load (and report) on the client.
  const [initialPage, initialStats] = await Promise.all([
    listJobPage(db, initialParams).catch(() => undefined),
    loadDashboardStats(db, { now }).catch(() => undefined),
  ]);
  return (
    <Suspense fallback={<LoadingState label="Loading jobs…" height={400} />}>
      <JobsView initialPage={initialPage} initialParams={initialParams} initialStats={initialStats} />
    </Suspense>
  );
}
