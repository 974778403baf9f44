'use client';

import Link from 'next/link';
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { usersQueryOptions } from '@/lib/dashboard/client/queries';
import type { PlatformName, UserDto } from '@/lib/dashboard/client/types';
import { useSetPrivacy, useSyncAll, useSyncUser } from '@/hooks/use-dashboard-actions';
import { useQueueMonitor } from '@/hooks/use-queue-monitor';
import { POLL_ACTIVE_MS, POLL_IDLE_MS } from '@/lib/dashboard/client/queries';
import { RelativeTime } from '@/components/ui/relative-time';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';

export function UsersView(props: { initialUsers?: UserDto[]; labels: Record<PlatformName, string> }) {
  const monitor = useQueueMonitor({ idlePollMs: POLL_IDLE_MS, tasks: false });
  const users = useQuery({
    ...usersQueryOptions(),
    initialData: props.initialUsers,
    // Last-sync times move while syncs run; otherwise they are as good as static.
    refetchInterval: monitor.isActive ? POLL_ACTIVE_MS * 2 : POLL_IDLE_MS * 3,
  });
  const syncAll = useSyncAll();
  const [find, setFind] = useState('');
  const needle = find.trim().toLowerCase();
  const shown = (users.data ?? []).filter(
    (u) => !needle || u.username.toLowerCase().includes(needle) || u.displayName.toLowerCase().includes(needle),
  );

  return (
    <>
      <header className="page-head">
        <div>
          <h1>Users</h1>
          <p className="muted page-head__sub">
            Connections and last sync. A switch that is on shows that platform on the user&apos;s public page.
          </p>
        </div>
        <div className="page-head__actions">
          <button
            type="button"
            className="button button--primary"
            onClick={() => !syncAll.isPending && syncAll.mutate()}
            aria-disabled={syncAll.isPending || undefined}
          >
            {syncAll.isPending ? 'Starting…' : 'Sync all'}
          </button>
        </div>
      </header>
      {!users.data ? (
        users.error ? (
          <ErrorState error={users.error} onRetry={() => void users.refetch()} />
        ) : (
          <LoadingState label="Loading users…" />
        )
      ) : users.data.length === 0 ? (
        <EmptyState title="No users yet">Run the seed (npm run dev does) or add users to start syncing.</EmptyState>
      ) : (
        <>
          <div className="field user-find">
            <label htmlFor="user-find">Find a user</label>
            <input
              id="user-find"
              type="search"
              value={find}
              onChange={(e) => setFind(e.target.value)}
              placeholder="name or username"
            />
          </div>
          {shown.length === 0 ? (
            <EmptyState title="No user matches">Try part of a name or username.</EmptyState>
          ) : (
            <ul className="card user-rows">
              {shown.map((u) => (
                <UserRow key={u.id} user={u} labels={props.labels} />
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}

function UserRow({ user, labels }: { user: UserDto; labels: Record<PlatformName, string> }) {
  const sync = useSyncUser();
  const privacy = useSetPrivacy();
  return (
    <li className="user-row" data-username={user.username}>
      <div className="user-row__who">
        <h2 className="user-row__name">{user.displayName}</h2>
        <p className="muted user-row__sub">
          <Link href={`/u/${user.username}`}>@{user.username}</Link> · {user.timeZone}
        </p>
      </div>
      <ul className="chips" aria-label={`Platforms connected by ${user.username}`}>
        {user.connections.length === 0 && <li className="muted">No platforms connected</li>}
        {user.connections.map((c) => {
          const id = `privacy-${user.id}-${c.platform}`;
          return (
            <li key={c.platform} className={`chip ${c.private ? 'chip--private' : ''} ${c.enabled ? '' : 'chip--off'}`}>
              <span className="chip__platform">{labels[c.platform]}</span>
              <span className="chip__handle mono" title={c.enabled ? c.handle : `${c.handle} (sync turned off)`}>
                {c.handle}
              </span>
              <label
                className="switch"
                htmlFor={id}
                title={c.private ? 'Hidden from the public page' : 'Shown on the public page'}
              >
                <input
                  id={id}
                  type="checkbox"
                  role="switch"
                  checked={!c.private}
                  aria-disabled={privacy.isPending || undefined}
                  onChange={(e) =>
                    !privacy.isPending &&
                    privacy.mutate({
                      userId: user.id,
                      platform: c.platform,
                      private: !e.target.checked,
                      label: labels[c.platform],
                    })
                  }
                />
                <span className="switch__track" aria-hidden="true" />
                <span className="visually-hidden">
                  {labels[c.platform]} on the public page of {user.username}
                </span>
              </label>
            </li>
          );
        })}
      </ul>
      <div className="user-row__sync muted">
        Synced <RelativeTime iso={user.lastSyncedAt} />
      </div>
      <div className="user-row__actions">
        <Link href={`/jobs?user=${user.id}`} className="button button--ghost button--small">
          Jobs
        </Link>
        <button
          type="button"
          className="button button--small button--primary"
          aria-disabled={sync.isPending || undefined}
          onClick={() => !sync.isPending && sync.mutate(user)}
          aria-label={`Sync now: ${user.username}`}
        >
          {sync.isPending ? 'Starting…' : 'Sync now'}
        </button>
      </div>
    </li>
  );
}
