'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useQueueMonitor } from '@/hooks/use-queue-monitor';
import { POLL_IDLE_MS } from '@/lib/dashboard/client/queries';

const LINKS = [
  { href: '/', label: 'Overview' },
  { href: '/jobs', label: 'Jobs' },
  { href: '/users', label: 'Users' },
  { href: '/limits', label: 'Limits' },
];

const isCurrent = (pathname: string, href: string) => (href === '/' ? pathname === '/' : pathname.startsWith(href));

export function DashboardNav({ canSignOut }: { canSignOut: boolean }) {
  const pathname = usePathname();
  const monitor = useQueueMonitor({ idlePollMs: POLL_IDLE_MS, tasks: false });
  const working = monitor.processingCount + (monitor.counts?.pending ?? 0);
  return (
    <header className="nav">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <Link href="/" className="nav__brand">
        Steady
      </Link>
      <nav aria-label="Dashboard" className="nav__links">
        {LINKS.map((l) => (
          <Link
            key={l.href}
            href={l.href}
            className="nav__link"
            aria-current={isCurrent(pathname, l.href) ? 'page' : undefined}
          >
            {l.label}
          </Link>
        ))}
      </nav>
      <div className="nav__end">
        <span
          className={`live ${monitor.isActive ? 'live--active' : ''}`}
          title={monitor.error ? 'Cannot reach the server' : 'Live updates'}
        >
          <span className="live__dot" aria-hidden="true" />
          <span className="live__text">{monitor.error ? 'Offline' : working > 0 ? `${working} in queue` : 'Idle'}</span>
        </span>
        {canSignOut && (
          <form action="/api/auth/logout" method="post">
            <button type="submit" className="button button--ghost button--small">
              Sign out
            </button>
          </form>
        )}
      </div>
    </header>
  );
}
