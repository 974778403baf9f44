import Link from 'next/link';
import { getDb } from '@/lib/db';
import { QueueError } from '@/lib/queue';
import { requireDashboardPage } from '@/lib/auth/page-access';
import { getJobDetail } from '@/lib/dashboard/jobs';
import { JobDetail } from '@/components/jobs/job-detail';
import { EmptyState } from '@/components/ui/states';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Job · Steady' };

export default async function JobPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireDashboardPage(`/jobs/${encodeURIComponent(id)}`);
  const initial = await getJobDetail(getDb(), id).catch((err: unknown) => {
    if (err instanceof QueueError && err.code === 'not_found') return null;
    console.error('Job page: could not read the job on the server', err);
    return undefined;
  });
  if (initial === null) {
    return (
      <EmptyState title="Job not found">
        It may have been removed by cleanup. <Link href="/jobs">Back to jobs</Link>
      </EmptyState>
    );
  }
  return <JobDetail id={id} initial={initial} />;
}
