import { redirect } from 'next/navigation';
import { pageAccess } from '@/lib/auth/page-access';
import { QueueActivityProvider } from '@/components/queue/queue-activity-provider';
import { DashboardNav } from '@/components/queue/dashboard-nav';
import '@/components/ui/ui.css';
import '@/components/queue/dashboard.css';

export const dynamic = 'force-dynamic';

/**
 * The operator's frame: nav, the open-dashboard banner, and the provider that follows action toasts.
 * Being a layout, it stays mounted while the pages under it change, so toasts keep tracking.
 */
export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const access = await pageAccess();
  if (access === 'signed-out' || access === 'closed-prod') redirect('/login');
  return (
    <QueueActivityProvider>
      <div className="shell">
        {access === 'open-dev' && (
          <div className="banner" role="note">
            <strong>Open dashboard.</strong> No <code>DASHBOARD_PASSWORD</code> is set, so anyone who can reach this
            development server can use it. Set one to require sign-in.
          </div>
        )}
        <DashboardNav canSignOut={access === 'signed-in'} />
        <main id="main" className="main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </QueueActivityProvider>
  );
}
