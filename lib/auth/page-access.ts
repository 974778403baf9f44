import 'server-only';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { dashboardAccess, type DashboardAccess } from './guards';
import { SESSION_COOKIE } from './session';

export async function pageAccess(): Promise<DashboardAccess> {
  return dashboardAccess((await cookies()).get(SESSION_COOKIE)?.value);
}

/**
 * For every dashboard page that reads data on the server. The layout checks too, but a layout is not
 * re-rendered on client navigation, so an expired session would otherwise still see page data.
 */
export async function requireDashboardPage(next = '/'): Promise<void> {
  const access = await pageAccess();
  if (access === 'signed-out') redirect(`/login?next=${encodeURIComponent(next)}`);
  if (access === 'closed-prod') redirect('/login');
}
