'use client';

import Link from 'next/link';
import { formatCount, formatDuration } from '@/lib/dashboard/client/format';
import type { StatsDto } from '@/lib/dashboard/client/types';
import { useQueueMonitor } from '@/hooks/use-queue-monitor';
import { POLL_IDLE_MS } from '@/lib/dashboard/client/queries';
import { useRunQueueNow, useSyncAll } from '@/hooks/use-dashboard-actions';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { StatusBadge } from '@/components/ui/status-badge';
import { RelativeTime } from '@/components/ui/relative-time';
import { ThroughputChart } from './throughput-chart';
import { QueueTable } from './queue-table';
import { DurationsTable } from './durations-table';

function Tile({ label, value, tone, href }: { label: string; value: string; tone?: string; href?: string }) {
  const body = (
    <>
      <span className="tile__label">{label}</span>
      <span className="tile__value">{value}</span>
    </>
  );
  return href ? (
    <Link href={href} className={`tile tile--link ${tone ? `tile--${tone}` : ''}`}>
      {body}
    </Link>
  ) : (
    <div className={`tile ${tone ? `tile--${tone}` : ''}`}>{body}</div>
  );
}

export function Overview({ initialStats }: { initialStats?: StatsDto }) {
  const monitor = useQueueMonitor({ initialStats, idlePollMs: POLL_IDLE_MS, tasks: false });
  const runNow = useRunQueueNow();
  const syncAll = useSyncAll();
  const s = monitor.stats;

  return (
    <>
      <header className="page-head">
        <div>
          <h1>Overview</h1>
          <p className="muted page-head__sub">
            {monitor.isActive
              ? 'Work in progress: refreshing every 2 seconds'
              : 'Queue is idle: refreshing every 20 seconds'}
          </p>
        </div>
        <div className="page-head__actions">
          <button type="button" className="button" onClick={() => runNow.mutate()} disabled={runNow.isPending}>
            {runNow.isPending ? 'Running…' : 'Run queue now'}
          </button>
          <button
            type="button"
            className="button button--primary"
            onClick={() => syncAll.mutate()}
            disabled={syncAll.isPending}
          >
            {syncAll.isPending ? 'Starting…' : 'Sync all'}
          </button>
        </div>
      </header>

      {!s && monitor.error ? (
        <ErrorState error={monitor.error} onRetry={() => void monitor.refetch()} />
      ) : !s ? (
        <LoadingState label="Loading queue stats…" height={400} />
      ) : (
        <>
          {s.queues.some((q) => q.paused) && (
            <div className="notice" role="status">
              Paused:{' '}
              {s.queues
                .filter((q) => q.paused)
                .map((q) => q.name)
                .join(', ')}
              . Their jobs wait until resumed.
            </div>
          )}
          <section className="tiles" aria-label="Key numbers">
            <Tile label="Pending" value={formatCount(s.totals.pending)} tone="pending" href="/jobs?status=pending" />
            <Tile
              label="Processing"
              value={formatCount(s.totals.processing)}
              tone="processing"
              href="/jobs?status=processing"
            />
            <Tile
              label="Done today"
              value={formatCount(s.completedToday)}
              tone="completed"
              href="/jobs?status=completed"
            />
            <Tile
              label="Failed today"
              value={formatCount(s.failedToday)}
              tone={s.failedToday > 0 ? 'failed' : undefined}
              href="/jobs?status=failed"
            />
            <Tile
              label="Oldest pending"
              value={s.oldestPendingAgeMs > 0 ? formatDuration(s.oldestPendingAgeMs) : '–'}
            />
          </section>

          <div className="grid grid--2">
            <section className="card" aria-labelledby="throughput-h">
              <h2 id="throughput-h">Last hour</h2>
              <ThroughputChart throughput={s.throughput} />
            </section>
            <section className="card" aria-labelledby="recent-h">
              <h2 id="recent-h">Latest jobs</h2>
              <RecentList stats={s} />
            </section>
          </div>

          <section className="card" aria-labelledby="queues-h">
            <h2 id="queues-h">Queues</h2>
            <QueueTable stats={s} />
          </section>

          <section className="card" aria-labelledby="durations-h">
            <h2 id="durations-h">Run time by job type</h2>
            <DurationsTable durations={s.durations} />
          </section>
        </>
      )}
    </>
  );
}

/** Running jobs first, then the latest failures and completions: a short feed that shows movement. */
function RecentList({ stats }: { stats: StatsDto }) {
  const items = [...stats.processing, ...stats.recentFailed.slice(0, 4), ...stats.recentCompleted.slice(0, 4)].slice(
    0,
    8,
  );
  if (items.length === 0) return <p className="muted">No jobs yet. Press Sync all to start some.</p>;
  return (
    <ul className="feed">
      {items.map((j) => (
        <li key={`${j.status}-${j.id}`} className="feed__item">
          <StatusBadge status={j.status} />
          <Link href={`/jobs/${j.id}`} className="feed__title mono">
            {j.type}
          </Link>
          <span className="feed__meta muted">
            {j.status === 'failed' && j.lastError ? (
              j.lastError
            ) : (
              <RelativeTime iso={j.completedAt ?? j.startedAt ?? j.createdAt} />
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}
