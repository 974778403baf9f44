import { z } from 'zod';
import { isUuid, JOB_STATUSES, UNFINISHED, type JobStatus } from '@/lib/queue/browser';

// The jobs table's filters: the same names in the page URL, the list API's query and the bulk
// actions' body, so a filtered view, its data and "everything matching" always mean the same rows.

/** Optional text up to `max` characters; blank reads as absent. */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((v) => !v.includes('\u0000'), 'must not contain the NUL character')
    .optional()
    .transform((v) => (v === '' ? undefined : v));

export const JobFilterInput = z
  .object({
    status: z
      .union([z.enum(JOB_STATUSES), z.literal('')])
      .optional()
      .transform((v) => (v === '' ? undefined : v)),
    queue: text(100),
    type: text(100),
    stage: text(100),
    user: text(36).refine((v) => v === undefined || isUuid(v), 'must be a user id'),
    q: text(200),
    waiting: z
      .union([z.literal('limit'), z.literal('')])
      .optional()
      .transform((v) => (v === '' ? undefined : v)),
  })
  // A misspelt filter must fail, not widen a bulk action to every row.
  .strict();
export type JobFilterInput = Partial<z.infer<typeof JobFilterInput>>;

export const JOBS_PAGE_SIZE = 25;

export const FILTER_KEYS = ['status', 'queue', 'type', 'stage', 'user', 'q', 'waiting'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/** Reads filters from URL search params, dropping anything invalid rather than failing the page. */
export function filtersFromParams(params: URLSearchParams): JobFilterInput {
  const out: Record<string, string> = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) out[key] = value;
  }
  const parsed = JobFilterInput.safeParse(out);
  if (parsed.success) return parsed.data;
  const bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
  return JobFilterInput.parse(Object.fromEntries(Object.entries(out).filter(([k]) => !bad.has(k))));
}

export function filtersToParams(
  filters: Partial<Record<FilterKey, string | undefined>>,
  extra: Record<string, string | undefined> = {},
) {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  for (const [k, v] of Object.entries(extra)) if (v) params.set(k, v);
  return params;
}

export const hasFilters = (f: JobFilterInput) => FILTER_KEYS.some((k) => f[k] !== undefined);

export const RETRIABLE: JobStatus[] = ['failed', 'cancelled'];
// Every unfinished job can be cancelled.
export const CANCELLABLE = UNFINISHED;
