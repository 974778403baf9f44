'use client';

import Link from 'next/link';
import { formatDuration, shortId } from '@/lib/dashboard/client/format';
import type { JobSummaryDto } from '@/lib/dashboard/client/types';
import { StatusBadge } from '@/components/ui/status-badge';
import { RelativeTime } from '@/components/ui/relative-time';
import { SkeletonRows } from '@/components/ui/states';

const COLS = 8;

export function JobsTable(props: {
  jobs: JobSummaryDto[] | undefined;
  usernames: ReadonlyMap<string, string>;
  selected: ReadonlySet<string>;
  onToggle: (id: string) => void;
  onToggleAll: (ids: string[], on: boolean) => void;
}) {
  const { jobs, selected } = props;
  const ids = jobs?.map((j) => j.id) ?? [];
  const allOn = ids.length > 0 && ids.every((id) => selected.has(id));
  return (
    <div className="table-wrap">
      <table className="table table--jobs">
        <caption className="visually-hidden">Jobs, newest first</caption>
        <thead>
          <tr>
            <th scope="col" className="check">
              <input
                type="checkbox"
                aria-label="Select all jobs on this page"
                checked={allOn}
                disabled={ids.length === 0}
                onChange={(e) => props.onToggleAll(ids, e.target.checked)}
              />
            </th>
            <th scope="col">Status</th>
            <th scope="col">Job</th>
            <th scope="col" className="hide-sm">
              Queue
            </th>
            <th scope="col" className="hide-sm">
              User
            </th>
            <th scope="col" className="num hide-sm">
              Attempts
            </th>
            <th scope="col">Created</th>
            <th scope="col" className="num hide-sm">
              Took
            </th>
          </tr>
        </thead>
        <tbody>
          {!jobs ? (
            <SkeletonRows rows={8} cols={COLS} />
          ) : (
            jobs.map((j) => (
              <tr
                key={j.id}
                data-job-id={j.id}
                data-status={j.status}
                className={selected.has(j.id) ? 'is-selected' : undefined}
              >
                <td className="check">
                  <input
                    type="checkbox"
                    aria-label={`Select job ${shortId(j.id)}`}
                    checked={selected.has(j.id)}
                    onChange={() => props.onToggle(j.id)}
                  />
                </td>
                <td>
                  <StatusBadge status={j.status} />
                </td>
                <td className="job-cell">
                  <Link href={`/jobs/${j.id}`} className="mono">
                    {j.type}
                  </Link>
                  <span className="job-cell__sub muted">
                    {shortId(j.id)}
                    {j.stage ? ` · ${j.stage}` : ''}
                    {j.entityId ? ` · ${j.entityType ?? 'entity'} ${j.entityId}` : ''}
                  </span>
                  {j.status === 'failed' && j.lastError && <span className="job-cell__error">{j.lastError}</span>}
                </td>
                <td className="hide-sm">{j.queue}</td>
                <td className="hide-sm">
                  {j.userId ? (props.usernames.get(j.userId) ?? shortId(j.userId)) : <span className="muted">–</span>}
                </td>
                <td className="num hide-sm">
                  {j.attempts}/{j.maxAttempts}
                </td>
                <td>
                  <RelativeTime iso={j.createdAt} />
                </td>
                <td className="num hide-sm">{formatDuration(j.durationMs)}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
