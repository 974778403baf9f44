'use client';

import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { POLL_ACTIVE_MS, jobQueryOptions } from '@/lib/dashboard/client/queries';
import { formatDuration, formatTimestamp, prettyJson } from '@/lib/dashboard/client/format';
import { CANCELLABLE, RETRIABLE } from '@/lib/dashboard/client/filters';
import { isFinal } from '@/lib/queue/browser';
import type { JobDetailDto } from '@/lib/dashboard/client/types';
import { useJobAction } from '@/hooks/use-dashboard-actions';
import { StatusBadge } from '@/components/ui/status-badge';
import { RelativeTime } from '@/components/ui/relative-time';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { JobTimeline } from './job-timeline';

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd>{children ?? <span className="muted">–</span>}</dd>
    </div>
  );
}

export function JobDetail({ id, initial }: { id: string; initial?: JobDetailDto }) {
  const detail = useQuery({
    ...jobQueryOptions(id),
    initialData: initial,
    // An unfinished job changes under us; a finished one only changes if someone retries it.
    refetchInterval: (q) => (q.state.data && isFinal(q.state.data.job.status) ? false : POLL_ACTIVE_MS),
  });
  const action = useJobAction();

  if (!detail.data) {
    return detail.error ? (
      <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />
    ) : (
      <LoadingState label="Loading job…" />
    );
  }
  const { job, events, user, waitingOn } = detail.data;
  const lease =
    job.status === 'processing' && job.lockedBy ? (
      <>
        <span className="mono">{job.lockedBy}</span> until <RelativeTime iso={job.lockedUntil} />
      </>
    ) : null;

  return (
    <>
      <p className="crumbs">
        <Link href="/jobs">← Jobs</Link>
      </p>
      <header className="page-head">
        <div>
          <h1 className="mono page-head__title">{job.type}</h1>
          <p className="page-head__sub">
            <StatusBadge status={job.status} /> <span className="mono muted">{job.id}</span>
          </p>
        </div>
        <div className="page-head__actions">
          {RETRIABLE.includes(job.status) && (
            <button
              type="button"
              className="button button--primary"
              disabled={action.isPending}
              onClick={() => action.mutate({ action: 'retry', target: { ids: [job.id] }, title: `Retry ${job.type}` })}
            >
              Retry
            </button>
          )}
          {CANCELLABLE.includes(job.status) && (
            <button
              type="button"
              className="button button--danger"
              disabled={action.isPending}
              onClick={() => action.mutate({ action: 'cancel', target: { ids: [job.id] } })}
            >
              Cancel
            </button>
          )}
        </div>
      </header>

      {waitingOn && (
        <div className="callout callout--warn" role="note">
          <strong>Waiting on a limit:</strong> {waitingOn}. It starts once the limit allows (
          <a href="/limits">Limits</a>).
        </div>
      )}

      {job.lastError && (
        <div className={`callout ${job.status === 'failed' ? 'callout--error' : 'callout--warn'}`} role="note">
          <strong>{job.status === 'failed' ? 'Failed' : 'Last error'}:</strong> {job.lastError}
        </div>
      )}

      <section className="card" aria-labelledby="facts-h">
        <h2 id="facts-h" className="visually-hidden">
          Details
        </h2>
        <dl className="facts">
          <Fact label="Queue">{job.queue}</Fact>
          <Fact label="Limit key">{job.limitKey}</Fact>
          <Fact label="Owner">{job.ownerKey}</Fact>
          <Fact label="Stage">{job.stage}</Fact>
          <Fact label="Progress">{job.progress}</Fact>
          <Fact label="Attempts">
            {job.attempts} of {job.maxAttempts}
            {job.deferrals > 0 ? ` · deferred ${job.deferrals}×` : ''}
          </Fact>
          <Fact label="Priority">{job.priority}</Fact>
          <Fact label="Run at">{formatTimestamp(job.runAt)}</Fact>
          <Fact label="Created">{formatTimestamp(job.createdAt)}</Fact>
          <Fact label="Started">{job.startedAt ? formatTimestamp(job.startedAt) : null}</Fact>
          <Fact label="Finished">{job.completedAt ? formatTimestamp(job.completedAt) : null}</Fact>
          <Fact label="Took">{job.durationMs !== null ? formatDuration(job.durationMs) : null}</Fact>
          <Fact label="Lease">{lease}</Fact>
          <Fact label="Entity">{job.entityId ? `${job.entityType ?? 'entity'} ${job.entityId}` : null}</Fact>
          <Fact label="User">
            {job.userId ? <Link href={`/jobs?user=${job.userId}`}>{user?.username ?? job.userId}</Link> : null}
          </Fact>
          <Fact label="Dedup key">{job.dedupKey ? <span className="mono">{job.dedupKey}</span> : null}</Fact>
          <Fact label="Correlation id">
            {job.correlationId ? (
              <Link href={`/jobs?q=${encodeURIComponent(job.correlationId)}`} className="mono">
                {job.correlationId}
              </Link>
            ) : null}
          </Fact>
          {job.failedProviders.length > 0 && <Fact label="Failed providers">{job.failedProviders.join(', ')}</Fact>}
        </dl>
      </section>

      <div className="grid grid--2">
        <section className="card" aria-labelledby="payload-h">
          <h2 id="payload-h">Payload</h2>
          <pre className="code">{prettyJson(job.payload)}</pre>
        </section>
        <section className="card" aria-labelledby="result-h">
          <h2 id="result-h">Result</h2>
          {job.result === null ? (
            <p className="muted">No result{isFinal(job.status) ? '' : ' yet'}.</p>
          ) : (
            <pre className="code">{prettyJson(job.result)}</pre>
          )}
        </section>
      </div>
      {Object.keys(job.metadata).length > 0 && (
        <section className="card" aria-labelledby="meta-h">
          <h2 id="meta-h">Metadata</h2>
          <pre className="code">{prettyJson(job.metadata)}</pre>
        </section>
      )}
      <section className="card" aria-labelledby="timeline-h">
        <h2 id="timeline-h">Timeline</h2>
        <JobTimeline events={events} />
      </section>
    </>
  );
}
