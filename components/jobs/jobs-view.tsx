'use client';

import { useQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useMemo, useState } from 'react';
import {
  JOBS_PAGE_SIZE,
  filtersFromParams,
  filtersToParams,
  hasFilters,
  type FilterKey,
} from '@/lib/dashboard/client/filters';
import {
  POLL_ACTIVE_MS,
  POLL_IDLE_MS,
  jobListQueryOptions,
  usersQueryOptions,
  type JobListParams,
} from '@/lib/dashboard/client/queries';
import type { JobPageDto, StatsDto } from '@/lib/dashboard/client/types';
import { useQueueMonitor } from '@/hooks/use-queue-monitor';
import { EmptyState, ErrorState } from '@/components/ui/states';
import { JobFilters } from './job-filters';
import { JobsTable } from './jobs-table';
import { BulkActions } from './bulk-actions';

export function JobsView(props: { initialPage?: JobPageDto; initialParams: JobListParams; initialStats?: StatsDto }) {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const filters = useMemo(() => filtersFromParams(new URLSearchParams(search.toString())), [search]);
  const cursor = search.get('cursor') ?? undefined;
  const params: JobListParams = { ...filters, cursor, limit: JOBS_PAGE_SIZE };

  const monitor = useQueueMonitor({ initialStats: props.initialStats, idlePollMs: POLL_IDLE_MS, tasks: false });
  const sameAsServer = JSON.stringify(params) === JSON.stringify(props.initialParams);
  const list = useQuery({
    ...jobListQueryOptions(params),
    initialData: sameAsServer ? props.initialPage : undefined,
    refetchInterval: monitor.isActive ? POLL_ACTIVE_MS : POLL_IDLE_MS,
  });
  const users = useQuery(usersQueryOptions());
  const usernames = useMemo(() => new Map((users.data ?? []).map((u) => [u.id, u.username])), [users.data]);

  const [selected, setSelected] = useState<Set<string>>(new Set());
  const viewKey = `${filtersToParams(filters)}|${cursor ?? ''}`;
  const [selectionFor, setSelectionFor] = useState(viewKey);
  if (selectionFor !== viewKey) {
    // A new filter or page shows other rows; a selection the person can no longer see must not be acted on.
    setSelectionFor(viewKey);
    setSelected(new Set());
  }

  const navigate = (next: URLSearchParams, mode: 'push' | 'replace') => {
    const url = next.size > 0 ? `${pathname}?${next}` : pathname;
    if (mode === 'push') router.push(url, { scroll: false });
    else router.replace(url, { scroll: false });
  };
  const changeFilters = (patch: Partial<Record<FilterKey, string | undefined>>) =>
    navigate(filtersToParams({ ...filters, ...patch }), 'replace');

  const stats = monitor.stats;
  const options = {
    queues: stats ? [...new Set([...stats.queues.map((q) => q.name), ...Object.keys(stats.byQueue)])].sort() : [],
    types: stats ? Object.keys(stats.byType).sort() : [],
    users: (users.data ?? []).map((u) => ({ id: u.id, username: u.username })),
  };
  const page = list.data;
  // Rows that left the list meanwhile (a pending job that ran) are no longer what the person sees.
  const onScreen = useMemo(() => new Set((page?.items ?? []).map((j) => j.id)), [page]);
  const selectedOnScreen = [...selected].filter((id) => onScreen.has(id));

  return (
    <>
      <header className="page-head">
        <div>
          <h1>Jobs</h1>
          <p className="muted page-head__sub">Newest first{cursor ? ' · older page' : ''}</p>
        </div>
      </header>
      <JobFilters
        filters={filters}
        options={options}
        onChange={changeFilters}
        onClear={() => navigate(new URLSearchParams(), 'replace')}
      />
      <BulkActions selected={selectedOnScreen} filters={filters} onDone={() => setSelected(new Set())} />
      {list.error && !page ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : page && page.items.length === 0 ? (
        <EmptyState title={hasFilters(filters) ? 'No jobs match these filters' : 'No jobs yet'}>
          {hasFilters(filters) ? 'Try removing a filter.' : 'Sync a user from the Users page to create some.'}
        </EmptyState>
      ) : (
        <JobsTable
          jobs={page?.items}
          usernames={usernames}
          selected={selected}
          onToggle={(id) =>
            setSelected((prev) => {
              const next = new Set(prev);
              if (!next.delete(id)) next.add(id);
              return next;
            })
          }
          onToggleAll={(ids, on) =>
            setSelected((prev) => {
              const next = new Set(prev);
              for (const id of ids)
                if (on) next.add(id);
                else next.delete(id);
              return next;
            })
          }
        />
      )}
      <nav className="pager" aria-label="Pages">
        <button
          type="button"
          className="button button--small"
          disabled={!cursor}
          onClick={() => navigate(filtersToParams(filters), 'push')}
        >
          ← Newest
        </button>
        {list.isFetching && <span className="muted pager__status">Refreshing…</span>}
        <button
          type="button"
          className="button button--small"
          disabled={!page?.nextCursor}
          onClick={() => page?.nextCursor && navigate(filtersToParams(filters, { cursor: page.nextCursor }), 'push')}
        >
          Older →
        </button>
      </nav>
    </>
  );
}
