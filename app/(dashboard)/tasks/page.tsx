import { requireDashboardPage } from '@/lib/auth/page-access';
import { QueueMonitorComponent } from '@/components/queue/queue-monitor-example';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Tasks · Steady' };

/** The queue package's monitoring example (queue-package.md, "Implementation Example"), live. */
export default async function TasksPage() {
  await requireDashboardPage('/tasks');
  return (
    <section aria-labelledby="tasks-heading">
      <h1 id="tasks-heading">Tasks</h1>
      <QueueMonitorComponent />
    </section>
  );
}
