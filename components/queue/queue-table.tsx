'use client';

import { JOB_STATUSES, type JobStatus } from '@/lib/queue/browser';
import { formatCount, formatDuration } from '@/lib/dashboard/client/format';
import type { StatsDto, StatusCountsDto } from '@/lib/dashboard/client/types';
import { useSetQueuePaused } from '@/hooks/use-dashboard-actions';
import { statusLabel } from '@/components/ui/status-badge';

const SHOWN: JobStatus[] = ['pending', 'processing', 'completed', 'failed', 'cancelled', 'paused'];
// At phone width the columns a person acts on stay: what waits and what failed.
const PHONE: JobStatus[] = ['pending', 'failed'];
const total = (c: StatusCountsDto) => JOB_STATUSES.reduce((a, s) => a + c[s], 0);

/** A bar split by status: where each queue's jobs stand, at a glance. */
function CountsBar({ counts }: { counts: StatusCountsDto }) {
  const sum = total(counts);
  if (sum === 0) return <div className="stackbar stackbar--empty" aria-hidden="true" />;
  return (
    <div className="stackbar" aria-hidden="true">
      {SHOWN.filter((s) => counts[s] > 0).map((s) => (
        <span
          key={s}
          className={`stackbar__seg stackbar__seg--${s}`}
          style={{ flexGrow: counts[s] }}
          title={`${statusLabel(s)}: ${counts[s]}`}
        />
      ))}
    </div>
  );
}

function LatencyCells({ latency }: { latency?: StatsDto['latency'][number] }) {
  const due = latency?.oldestDueAgeMs ?? 0;
  const p50 = latency?.pickupP50Ms ?? null;
  const p95 = latency?.pickupP95Ms ?? null;
  return (
    <>
      <td className={`num ${due === 0 ? 'muted' : ''}`} data-col="oldest-due">
        {due > 0 ? formatDuration(due) : '–'}
      </td>
      <td className={`num hide-sm ${p50 === null ? 'muted' : ''}`} data-col="pickup">
        {p50 === null || p95 === null ? '–' : `${formatDuration(p50)} / ${formatDuration(p95)}`}
      </td>
    </>
  );
}

export function QueueTable({ stats }: { stats: StatsDto }) {
  const pause = useSetQueuePaused();
  const empty = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as StatusCountsDto;
  const names = [...new Set([...stats.queues.map((q) => q.name), ...Object.keys(stats.byQueue)])].sort();
  const paused = new Set(stats.queues.filter((q) => q.paused).map((q) => q.name));
  const known = new Set(stats.queues.map((q) => q.name));
  const latency = new Map(stats.latency.map((l) => [l.queue, l]));
  return (
    <div className="table-wrap">
      <table className="table table--queues">
        <caption className="visually-hidden">Jobs by status in each queue</caption>
        <thead>
          <tr>
            <th scope="col">Queue</th>
            <th scope="col" className="hide-sm">
              Spread
            </th>
            {SHOWN.map((s) => (
              <th scope="col" key={s} className={`num ${PHONE.includes(s) ? '' : 'hide-sm'}`}>
                {statusLabel(s)}
              </th>
            ))}
            <th scope="col" className="num" title="How long the oldest due job has waited for a worker">
              Oldest due
            </th>
            <th scope="col" className="num hide-sm" title="Due → started, over the newest completions">
              Pickup p50 / p95
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {names.map((name) => {
            const counts = stats.byQueue[name] ?? empty;
            const isPaused = paused.has(name);
            const busy = pause.isPending && pause.variables?.name === name;
            return (
              <tr key={name} data-queue={name}>
                <th scope="row">
                  {name}
                  {isPaused && <span className="badge badge--paused badge--inline">Paused</span>}
                </th>
                <td className="hide-sm">
                  <CountsBar counts={counts} />
                </td>
                {SHOWN.map((s) => (
                  <td key={s} className={`num ${counts[s] === 0 ? 'muted' : ''} ${PHONE.includes(s) ? '' : 'hide-sm'}`}>
                    {formatCount(counts[s])}
                  </td>
                ))}
                <LatencyCells latency={latency.get(name)} />
                <td className="actions">
                  {known.has(name) && (
                    <button
                      type="button"
                      className={`button button--small ${isPaused ? 'button--primary' : ''}`}
                      aria-disabled={busy || undefined}
                      onClick={() => !busy && pause.mutate({ name, paused: !isPaused })}
                      aria-label={`${isPaused ? 'Resume' : 'Pause'} queue ${name}`}
                    >
                      {isPaused ? 'Resume' : 'Pause'}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
