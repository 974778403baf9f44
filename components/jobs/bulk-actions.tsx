'use client';

import { useState } from 'react';
import { hasFilters, type JobFilterInput } from '@/lib/dashboard/client/filters';
import { useJobAction } from '@/hooks/use-dashboard-actions';

/**
 * Actions on the checked rows, or on every job the current filter matches. The second kind asks once
 * more before acting, since it can reach far beyond what is on screen.
 */
export function BulkActions(props: { selected: string[]; filters: JobFilterInput; onDone: () => void }) {
  const action = useJobAction();
  const [confirming, setConfirming] = useState<'retry' | 'cancel' | null>(null);
  const n = props.selected.length;
  const busy = action.isPending;
  const scope = hasFilters(props.filters) ? 'matching the filter' : 'in every queue';

  const run = (kind: 'retry' | 'cancel', target: { ids: string[] } | { filter: JobFilterInput }) =>
    action.mutate({ action: kind, target }, { onSuccess: props.onDone, onSettled: () => setConfirming(null) });

  return (
    <div className="bulk" role="group" aria-label="Bulk actions">
      <div className="bulk__group">
        <span className="bulk__label">{n > 0 ? `${n} selected` : 'Select rows to act on them'}</span>
        <button
          type="button"
          className="button button--small"
          disabled={n === 0 || busy}
          onClick={() => run('retry', { ids: props.selected })}
        >
          Retry selected
        </button>
        <button
          type="button"
          className="button button--small button--danger"
          disabled={n === 0 || busy}
          onClick={() => run('cancel', { ids: props.selected })}
        >
          Cancel selected
        </button>
      </div>
      <div className="bulk__group">
        {confirming ? (
          <>
            <span className="bulk__label">
              {confirming === 'retry'
                ? `Retry all failed and cancelled jobs ${scope}?`
                : `Cancel all unfinished jobs ${scope}?`}
            </span>
            <button
              type="button"
              className={`button button--small ${confirming === 'cancel' ? 'button--danger' : 'button--primary'}`}
              disabled={busy}
              onClick={() => run(confirming, { filter: props.filters })}
            >
              {busy ? 'Working…' : 'Confirm'}
            </button>
            <button type="button" className="button button--small button--ghost" onClick={() => setConfirming(null)}>
              Keep
            </button>
          </>
        ) : (
          <>
            <span className="bulk__label">All {scope}:</span>
            <button
              type="button"
              className="button button--small"
              disabled={busy}
              onClick={() => setConfirming('retry')}
            >
              Retry all
            </button>
            <button
              type="button"
              className="button button--small button--danger"
              disabled={busy}
              onClick={() => setConfirming('cancel')}
            >
              Cancel all
            </button>
          </>
        )}
      </div>
    </div>
  );
}
