import { queryOptions } from '@tanstack/react-query';
import { apiFetch } from './api-client';
import { dashboardKeys } from './queries';
import type { Limit, LimitEvent } from '@/lib/queue';

/** A limit as /api/limits answers it: the engine's, with dates as ISO text. */
export type LimitDto = Omit<Limit, 'cooldownUntil' | 'updatedAt'> & { cooldownUntil: string | null; updatedAt: string };
export type LimitEventDto = Omit<LimitEvent, 'at'> & { at: string };

export interface LimitsDto {
  now: string;
  limits: LimitDto[];
  events: LimitEventDto[];
}

export const PERIOD_NAMES: Record<number, string> = {
  1_000: 'second',
  60_000: 'minute',
  3_600_000: 'hour',
  86_400_000: 'day',
};

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
