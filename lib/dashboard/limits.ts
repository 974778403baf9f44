import { queryOptions } from '@tanstack/react-query';
import { apiFetch } from './api-client';
import { dashboardKeys } from './queries';

/** A limit as /api/limits answers it (dates as ISO text). */
export interface LimitDto {
  key: string;
  concurrency: number | null;
  rate: number | null;
  periodMs: number | null;
  burst: number | null;
  tokens: number | null;
  running: number;
  waiting: number;
  cooldownUntil: string | null;
  cooldownCause: string | null;
  updatedAt: string;
  updatedBy: string | null;
}

export interface LimitEventDto {
  id: number;
  key: string;
  at: string;
  actor: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface LimitsDto {
  now: string;
  limits: LimitDto[];
  events: LimitEventDto[];
}

export const PERIOD_NAMES: Record<number, string> = { 1_000: 'second', 60_000: 'minute', 3_600_000: 'hour', 86_400_000: 'day' };

export const limitsQueryOptions = () =>
  queryOptions({
    queryKey: [...dashboardKeys.all, 'limits'] as const,
    queryFn: ({ signal }) => apiFetch<LimitsDto>('/api/limits', { signal }),
  });

export interface LimitEdit {
  concurrency?: number | null;
  rate?: number | null;
  per?: string;
}

export const saveLimit = (key: string, body: LimitEdit) =>
  apiFetch<LimitDto>(`/api/limits/${encodeURIComponent(key)}`, { method: 'PUT', body });

export const endCooldown = (key: string) =>
  apiFetch<LimitDto>(`/api/limits/${encodeURIComponent(key)}/cooldown`, { method: 'DELETE' });

/** "5,000 / hour", or "none". */
export function describeRate(l: Pick<LimitDto, 'rate' | 'periodMs'>): string {
  if (l.rate === null || l.periodMs === null) return 'none';
  const per = PERIOD_NAMES[l.periodMs] ?? `${(l.periodMs / 1000).toLocaleString('en')} s`;
  return `${l.rate.toLocaleString('en')} / ${per}`;
}
