import { formatTimestamp } from '@/lib/dashboard/client/format';
import type { JobEventDto } from '@/lib/dashboard/client/types';
import { StatusBadge } from '@/components/ui/status-badge';

/** The job's history, oldest first: each status change with its attempt, worker and note. */
export function JobTimeline({ events }: { events: JobEventDto[] }) {
  if (events.length === 0) return <p className="muted">No history recorded.</p>;
  return (
    <ol className="timeline">
      {events.map((e) => (
        <li key={e.id} className="timeline__item" data-to={e.toStatus}>
          <span className="timeline__dot" aria-hidden="true" />
          <div className="timeline__body">
            <div className="timeline__head">
              {e.fromStatus ? <StatusBadge status={e.fromStatus} /> : <span className="muted">created</span>}
              <span aria-label="became">→</span>
              <StatusBadge status={e.toStatus} />
              <time className="muted timeline__time" dateTime={e.at}>
                {formatTimestamp(e.at)}
              </time>
            </div>
            <div className="timeline__meta muted">
              {e.attempt > 0 && <span>attempt {e.attempt}</span>}
              {e.stage && <span>stage {e.stage}</span>}
              {e.worker && <span className="mono">{e.worker}</span>}
            </div>
            {e.message && <p className="timeline__message">{e.message}</p>}
          </div>
        </li>
      ))}
    </ol>
  );
}
