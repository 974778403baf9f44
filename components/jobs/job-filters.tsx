'use client';

import { useEffect, useId, useState } from 'react';
import { JOB_STATUSES } from '@/lib/queue/browser';
import { hasFilters, type FilterKey, type JobFilterInput } from '@/lib/dashboard/client/filters';
import { statusLabel } from '@/components/ui/status-badge';

export interface FilterOptions {
  queues: string[];
  types: string[];
  users: { id: string; username: string }[];
}

/**
 * Selects apply at once; the two text fields apply on Enter or when they lose focus, so typing does
 * not fire a request per key. The URL is the source of truth, so a reload or a shared link keeps them.
 */
export function JobFilters(props: {
  filters: JobFilterInput;
  options: FilterOptions;
  onChange: (patch: Partial<Record<FilterKey, string | undefined>>) => void;
  onClear: () => void;
}) {
  const { filters, options, onChange } = props;
  const id = useId();
  const [q, setQ] = useState(filters.q ?? '');
  const [stage, setStage] = useState(filters.stage ?? '');
  useEffect(() => setQ(filters.q ?? ''), [filters.q]);
  useEffect(() => setStage(filters.stage ?? ''), [filters.stage]);

  const select = (key: FilterKey, label: string, values: { value: string; label: string }[]) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <select
        id={`${id}-${key}`}
        value={filters[key] ?? ''}
        onChange={(e) => onChange({ [key]: e.target.value || undefined })}
      >
        <option value="">All</option>
        {values.map((v) => (
          <option key={v.value} value={v.value}>
            {v.label}
          </option>
        ))}
        {filters[key] && !values.some((v) => v.value === filters[key]) && (
          <option value={filters[key]}>{filters[key]}</option>
        )}
      </select>
    </div>
  );

  const text = (
    key: 'q' | 'stage',
    label: string,
    value: string,
    setValue: (v: string) => void,
    input: { type?: 'search'; grow?: boolean; placeholder: string; maxLength: number },
  ) => (
    <div className={input.grow ? 'field field--grow' : 'field'}>
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        type={input.type}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        onBlur={() => value.trim() !== (filters[key] ?? '') && onChange({ [key]: value.trim() || undefined })}
        placeholder={input.placeholder}
        maxLength={input.maxLength}
      />
    </div>
  );

  return (
    <form
      className="filters"
      role="search"
      aria-label="Filter jobs"
      onSubmit={(e) => {
        e.preventDefault();
        onChange({ q: q.trim() || undefined, stage: stage.trim() || undefined });
      }}
    >
      {select(
        'status',
        'Status',
        JOB_STATUSES.map((s) => ({ value: s, label: statusLabel(s) })),
      )}
      {select(
        'queue',
        'Queue',
        options.queues.map((v) => ({ value: v, label: v })),
      )}
      {select(
        'type',
        'Type',
        options.types.map((v) => ({ value: v, label: v })),
      )}
      {select(
        'user',
        'User',
        options.users.map((u) => ({ value: u.id, label: u.username })),
      )}
      {select('waiting', 'Waiting', [{ value: 'limit', label: 'on a limit' }])}
      {text('stage', 'Stage', stage, setStage, { placeholder: 'any', maxLength: 100 })}
      {text('q', 'Search', q, setQ, {
        type: 'search',
        grow: true,
        placeholder: 'job id, dedup key, correlation id, entity id',
        maxLength: 200,
      })}
      <div className="filters__buttons">
        <button type="submit" className="button button--small">
          Apply
        </button>
        {hasFilters(filters) && (
          <button type="button" className="button button--ghost button--small" onClick={props.onClear}>
            Clear
          </button>
        )}
      </div>
    </form>
  );
}
