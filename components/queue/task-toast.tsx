'use client';

import Link from 'next/link';
import { useState } from 'react';
import type { StepState, TaskProgress } from '@/lib/dashboard/client/task-progress';
import { CheckIcon, CrossIcon, DotIcon, Spinner } from '@/components/ui/icons';

const StepIcon = ({ state }: { state: StepState }) =>
  state === 'done' ? (
    <CheckIcon />
  ) : state === 'failed' ? (
    <CrossIcon />
  ) : state === 'current' ? (
    <Spinner />
  ) : (
    <DotIcon />
  );

/** The body of one action's toast: its title, the four steps, and on failure the error with Retry. */
export function TaskToast(props: {
  title: string;
  progress: TaskProgress;
  onDismiss: () => void;
  onRetry?: () => Promise<void>;
}) {
  const { title, progress: p } = props;
  const [retrying, setRetrying] = useState(false);
  const firstError = p.failed[0]?.lastError;
  return (
    <div className="task-toast" data-testid="task-toast" data-phase={p.phase}>
      <div className="task-toast__head">
        <strong className="task-toast__title">{title}</strong>
        {p.countLabel && <span className="task-toast__count">{p.countLabel}</span>}
        <button type="button" className="icon-button" aria-label={`Dismiss ${title}`} onClick={props.onDismiss}>
          <CrossIcon />
        </button>
      </div>
      <ol className="steps" aria-label="Progress">
        {p.steps.map((s) => (
          <li key={s.key} className="steps__item" data-step={s.key} data-state={s.state}>
            <StepIcon state={s.state} />
            <span>{s.label}</span>
            <span className="visually-hidden">
              {s.state === 'current'
                ? ' (in progress)'
                : s.state === 'done'
                  ? ' (done)'
                  : s.state === 'failed'
                    ? ' (failed)'
                    : ''}
            </span>
          </li>
        ))}
      </ol>
      {p.note && <p className="task-toast__note">{p.note}</p>}
      {firstError && (
        <p className="task-toast__error" title={firstError}>
          {firstError}
        </p>
      )}
      <div className="task-toast__actions">
        {props.onRetry && (
          <button
            type="button"
            className="button button--small"
            disabled={retrying}
            onClick={async () => {
              setRetrying(true);
              try {
                await props.onRetry?.();
              } finally {
                setRetrying(false);
              }
            }}
          >
            {retrying ? 'Retrying…' : p.failed.length > 1 ? `Retry ${p.failed.length} failed` : 'Retry'}
          </button>
        )}
        {p.focusId && (
          <Link className="task-toast__link" href={`/jobs/${p.focusId}`}>
            {p.failed.length > 0 ? 'View failed job' : p.total > 1 ? 'View first job' : 'View job'}
          </Link>
        )}
      </div>
    </div>
  );
}
