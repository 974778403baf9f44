import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { apiFetch } from './api-client';
import { filtersToParams, type JobFilterInput } from './filters';
import type { JobDetailDto, JobPageDto, StatsDto, TaskStatusesDto, UserDto } from './types';

/** How often live data refreshes: quickly while work is moving, slowly when the queue is quiet. */
export const POLL_ACTIVE_MS = 2_000;
export const POLL_IDLE_MS = 20_000;
export const POLL_TASKS_MS = 1_500;

export type JobListParams = JobFilterInput & { cursor?: string; limit?: number };

export const dashboardKeys = {
  all: ['dashboard'] as const,
  stats: () => [...dashboardKeys.all, 'stats'] as const,
  jobLists: () => [...dashboardKeys.all, 'jobs'] as const,
  jobList: (params: JobListParams) => [...dashboardKeys.jobLists(), params] as const,
  jobs: () => [...dashboardKeys.all, 'job'] as const,
  job: (id: string) => [...dashboardKeys.jobs(), id] as const,
  tasks: (ids: readonly string[]) => [...dashboardKeys.all, 'tasks', [...ids].sort()] as const,
  users: () => [...dashboardKeys.all, 'users'] as const,
};

export const fetchStats = (signal?: AbortSignal) => apiFetch<StatsDto>('/api/dashboard/stats', { signal });

export const statsQueryOptions = () =>
  queryOptions({ queryKey: dashboardKeys.stats(), queryFn: ({ signal }) => fetchStats(signal) });

export function fetchJobList(params: JobListParams, signal?: AbortSignal) {
  const search = filtersToParams(params, { cursor: params.cursor, limit: params.limit?.toString() });
  return apiFetch<JobPageDto>(`/api/dashboard/jobs?${search}`, { signal });
}

export const jobListQueryOptions = (params: JobListParams) =>
  queryOptions({
    queryKey: dashboardKeys.jobList(params),
    queryFn: ({ signal }) => fetchJobList(params, signal),
    // Changing a filter keeps the old rows on screen until the new ones arrive: no flash of empty.
    placeholderData: keepPreviousData,
  });

export const fetchJob = (id: string, signal?: AbortSignal) =>
  apiFetch<JobDetailDto>(`/api/dashboard/jobs/${encodeURIComponent(id)}`, { signal });

export const jobQueryOptions = (id: string) =>
  queryOptions({ queryKey: dashboardKeys.job(id), queryFn: ({ signal }) => fetchJob(id, signal) });

// The API takes 100 ids a request; a large action (sync all) is read in slices.
const TASK_IDS_PER_REQUEST = 100;

export async function fetchTaskStatuses(ids: readonly string[], signal?: AbortSignal): Promise<TaskStatusesDto> {
  const sorted = [...ids].sort();
  const slices: string[][] = [];
  for (let i = 0; i < sorted.length; i += TASK_IDS_PER_REQUEST) slices.push(sorted.slice(i, i + TASK_IDS_PER_REQUEST));
  const parts = await Promise.all(
    slices.map((slice) => apiFetch<TaskStatusesDto>(`/api/dashboard/tasks?ids=${slice.join(',')}`, { signal })),
  );
  return { tasks: parts.flatMap((p) => p.tasks), missing: parts.flatMap((p) => p.missing) };
}

export const taskStatusesQueryOptions = (ids: readonly string[]) =>
  queryOptions({
    queryKey: dashboardKeys.tasks(ids),
    queryFn: ({ signal }) => fetchTaskStatuses(ids, signal),
    enabled: ids.length > 0,
    placeholderData: keepPreviousData,
  });

export const fetchUsers = (signal?: AbortSignal) =>
  apiFetch<{ users: UserDto[] }>('/api/dashboard/users', { signal }).then((r) => r.users);

export const usersQueryOptions = () =>
  queryOptions({ queryKey: dashboardKeys.users(), queryFn: ({ signal }) => fetchUsers(signal) });
