'use client';

import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import {
  PERIOD_NAMES,
  describeRate,
  endCooldown,
  limitsQueryOptions,
  saveLimit,
  type LimitDto,
  type LimitEdit,
  type LimitsDto,
} from '@/lib/dashboard/client/limits';
import { RelativeTime } from '@/components/ui/relative-time';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';

const POLL_MS = 5_000;

/** Empty text → no change for rate and concurrency alike; "none" clears. Validation is the server's. */
function readNumber(text: string): number | null | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (t.toLowerCase() === 'none') return null;
  return Number(t);
}

function useSaveLimit() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ key, body }: { key: string; body: LimitEdit }) => saveLimit(key, body),
    onSuccess: (l) => {
      toast.success(`Saved limit ${l.key}`, {
        description: `at once ${l.concurrency ?? 'unlimited'}, rate ${describeRate(l)}`,
      });
      void client.invalidateQueries({ queryKey: limitsQueryOptions().queryKey });
    },
    onError: (err: Error, v) => toast.error(`Could not save limit ${v.key}`, { description: err.message }),
  });
}

function LimitForm({
  limit,
  onSave,
  busy,
}: {
  limit?: LimitDto;
  onSave: (key: string, body: LimitEdit) => void;
  busy: boolean;
}) {
  const [key, setKey] = useState('');
  const [concurrency, setConcurrency] = useState('');
  const [rate, setRate] = useState('');
  const [per, setPer] = useState(limit?.periodMs ? (PERIOD_NAMES[limit.periodMs] ?? '') : 'minute');
  const id = limit ? `limit-${limit.key}` : 'limit-new';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const body: LimitEdit = {};
    const c = readNumber(concurrency);
    const r = readNumber(rate);
    if (c !== undefined) body.concurrency = c;
    if (r !== undefined) body.rate = r;
    if (r !== undefined && r !== null && per) body.per = per;
    onSave(limit?.key ?? key.trim(), body);
  };
  return (
    <form className="limit-form" onSubmit={submit} aria-label={limit ? `Edit limit ${limit.key}` : 'Add a limit'}>
      {!limit && (
        <span className="field">
          <label htmlFor={`${id}-key`}>Key</label>
          <input
            id={`${id}-key`}
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder="github, queue:sync, gh:"
            required
          />
        </span>
      )}
      <span className="field">
        <label htmlFor={`${id}-concurrency`}>At once</label>
        <input
          id={`${id}-concurrency`}
          inputMode="numeric"
          value={concurrency}
          onChange={(e) => setConcurrency(e.target.value)}
          placeholder={limit ? String(limit.concurrency ?? 'none') : 'none'}
          size={6}
        />
      </span>
      <span className="field">
        <label htmlFor={`${id}-rate`}>Starts</label>
        <input
          id={`${id}-rate`}
          inputMode="numeric"
          value={rate}
          onChange={(e) => setRate(e.target.value)}
          placeholder={limit ? String(limit.rate ?? 'none') : 'none'}
          size={7}
        />
      </span>
      <span className="field">
        <label htmlFor={`${id}-per`}>Per</label>
        <select id={`${id}-per`} value={per} onChange={(e) => setPer(e.target.value)}>
          {!PERIOD_NAMES[limit?.periodMs ?? 0] && limit?.periodMs ? (
            <option value="">{limit.periodMs} ms</option>
          ) : null}
          {Object.values(PERIOD_NAMES).map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </span>
      <button type="submit" className="button button--small" aria-disabled={busy || undefined}>
        {limit ? 'Save' : 'Add limit'}
      </button>
    </form>
  );
}

function LimitRow({
  limit,
  onSave,
  busy,
}: {
  limit: LimitDto;
  onSave: (key: string, body: LimitEdit) => void;
  busy: boolean;
}) {
  const client = useQueryClient();
  const end = useMutation({
    mutationFn: () => endCooldown(limit.key),
    onSuccess: () => {
      toast.success(`Cool-down of ${limit.key} ended`);
      void client.invalidateQueries({ queryKey: limitsQueryOptions().queryKey });
    },
    onError: (err: Error) => toast.error(`Could not end the cool-down of ${limit.key}`, { description: err.message }),
  });
  const paused = limit.concurrency === 0 || limit.rate === 0;
  return (
    <tr data-limit={limit.key}>
      <th scope="row">
        <code>{limit.key}</code>
        {paused && <span className="badge badge--paused badge--inline">Paused</span>}
      </th>
      <td>
        {limit.running} running{limit.concurrency !== null ? ` of ${limit.concurrency}` : ''}
      </td>
      <td>
        {describeRate(limit)}
        {limit.tokens !== null && (
          <div className="muted">
            {Math.floor(limit.tokens).toLocaleString('en')} of {limit.burst ?? limit.rate} left now
          </div>
        )}
      </td>
      <td>
        {limit.waiting.toLocaleString('en')}
        {limit.waiting >= 10_000 ? '+' : ''} waiting
      </td>
      <td>
        {limit.cooldownUntil ? (
          <>
            Cooling down until <RelativeTime iso={limit.cooldownUntil} />
            {limit.cooldownCause && <div className="muted">{limit.cooldownCause}</div>}
            <button
              type="button"
              className="button button--ghost button--small"
              onClick={() => !end.isPending && end.mutate()}
            >
              End cool-down
            </button>
          </>
        ) : (
          '—'
        )}
      </td>
      <td>
        <LimitForm limit={limit} onSave={onSave} busy={busy} />
      </td>
    </tr>
  );
}

export function LimitsView({ initial }: { initial?: LimitsDto }) {
  const limits = useQuery({ ...limitsQueryOptions(), initialData: initial, refetchInterval: POLL_MS });
  const save = useSaveLimit();
  const onSave = (key: string, body: LimitEdit) => save.mutate({ key, body });
  return (
    <>
      <header className="page-head">
        <div>
          <h1>Limits</h1>
          <p className="muted page-head__sub">
            How many jobs of a key run at once, how many start per period, and cool-downs after a provider said 429.
            Every claim reads them: a change takes effect on the next one. 0 pauses a key.
          </p>
        </div>
      </header>
      {!limits.data ? (
        limits.error ? (
          <ErrorState error={limits.error} onRetry={() => void limits.refetch()} />
        ) : (
          <LoadingState label="Loading limits…" />
        )
      ) : (
        <>
          {limits.data.limits.length === 0 ? (
            <EmptyState title="No limits">Jobs start as fast as workers claim them. Add one below.</EmptyState>
          ) : (
            <div className="card table-wrap">
              <table className="table table--limits">
                <thead>
                  <tr>
                    <th scope="col">Key</th>
                    <th scope="col">At once</th>
                    <th scope="col">Rate</th>
                    <th scope="col">Due</th>
                    <th scope="col">Cool-down</th>
                    <th scope="col">Change</th>
                  </tr>
                </thead>
                <tbody>
                  {limits.data.limits.map((l) => (
                    <LimitRow key={l.key} limit={l} onSave={onSave} busy={save.isPending} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <section className="card limit-add">
            <h2>Add a limit</h2>
            <LimitForm onSave={onSave} busy={save.isPending} />
          </section>
          <section className="card">
            <h2>Recent changes</h2>
            <ul className="limit-events">
              {limits.data.events.map((e) => (
                <li key={e.id}>
                  <RelativeTime iso={e.at} /> · <code>{e.key}</code> · {e.actor}: {JSON.stringify(e.after ?? 'removed')}
                </li>
              ))}
            </ul>
          </section>
        </>
      )}
    </>
  );
}
