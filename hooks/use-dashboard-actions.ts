'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import { postJson } from '@/lib/dashboard/client/api-client';
import { dashboardKeys } from '@/lib/dashboard/client/queries';
import type { JobFilterInput } from '@/lib/dashboard/client/filters';
import type { EnqueuedDto, PlatformName, UserDto } from '@/lib/dashboard/client/types';
import { useQueueTaskToast } from './use-queue-task-toast';

// Every mutation here raises a toast and invalidates what it changed. Those that start jobs hand the
// ids to a tracked toast, which then follows them to completion.

const errorToast = (title: string) => (err: Error) => toast.error(title, { description: err.message });

function useInvalidate() {
  const queryClient = useQueryClient();
  return (...keys: (readonly unknown[])[]) =>
    Promise.all(keys.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
}

export function useSyncUser() {
  const { showToast } = useQueueTaskToast();
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (user: Pick<UserDto, 'id' | 'username'>) =>
      postJson<EnqueuedDto>(`/api/dashboard/users/${user.id}/sync`),
    onSuccess: (res, user) => {
      if (res.jobIds.length === 0) toast.info(res.message);
      else showToast({ id: `sync-user-${user.id}`, title: `Sync ${user.username}`, jobIds: res.jobIds });
      void invalidate(dashboardKeys.users(), dashboardKeys.jobLists(), dashboardKeys.stats());
    },
    onError: errorToast('Could not start the sync'),
  });
}

export function useSyncAll() {
  const { showToast } = useQueueTaskToast();
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: () => postJson<EnqueuedDto>('/api/dashboard/sync-all'),
    onSuccess: (res) => {
      if (res.jobIds.length === 0) toast.info(res.message);
      else showToast({ id: 'sync-all', title: 'Sync all users', jobIds: res.jobIds });
      void invalidate(dashboardKeys.users(), dashboardKeys.jobLists(), dashboardKeys.stats());
    },
    onError: errorToast('Could not start syncing everyone'),
  });
}

export function useRunQueueNow() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: () => postJson<{ message: string }>('/api/dashboard/process'),
    onSuccess: (res) => {
      toast.success(res.message);
      void invalidate(dashboardKeys.all);
    },
    onError: errorToast('Could not run the queue'),
  });
}

export function useSetQueuePaused() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (v: { name: string; paused: boolean }) =>
      postJson<{ message: string }>(`/api/dashboard/queues/${encodeURIComponent(v.name)}`, { paused: v.paused }),
    onSuccess: (res) => {
      toast.success(res.message);
      void invalidate(dashboardKeys.stats());
    },
    onError: errorToast('Could not change the queue'),
  });
}

export type JobTarget = { ids: string[] } | { filter: JobFilterInput };

export function useJobAction() {
  const { showToast } = useQueueTaskToast();
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (v: { action: 'retry' | 'cancel'; target: JobTarget; title?: string }) =>
      postJson<EnqueuedDto>('/api/dashboard/jobs/actions', { action: v.action, ...v.target }),
    onSuccess: (res, v) => {
      if (v.action === 'retry' && res.jobIds.length > 0) {
        const title = v.title ?? (res.jobIds.length === 1 ? 'Retry job' : `Retry ${res.jobIds.length} jobs`);
        showToast({ id: `retry-${res.jobIds.length === 1 ? res.jobIds[0] : Date.now()}`, title, jobIds: res.jobIds });
      } else if (res.jobIds.length > 0) toast.success(res.message);
      else toast.info(res.message);
      void invalidate(dashboardKeys.jobLists(), dashboardKeys.jobs(), dashboardKeys.stats());
    },
    onError: (err: Error, v) =>
      toast.error(v.action === 'retry' ? 'Could not retry' : 'Could not cancel', { description: err.message }),
  });
}

export function useSetPrivacy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (v: { userId: string; platform: PlatformName; private: boolean; label?: string }) =>
      postJson<{ privacy: Record<PlatformName, boolean> }>(`/api/dashboard/users/${v.userId}/privacy`, {
        platform: v.platform,
        private: v.private,
      }),
    // The switch moves at once; a failure puts it back.
    onMutate: async (v) => {
      await queryClient.cancelQueries({ queryKey: dashboardKeys.users() });
      const before = queryClient.getQueryData<UserDto[]>(dashboardKeys.users());
      queryClient.setQueryData<UserDto[]>(dashboardKeys.users(), (users) =>
        users?.map((u) => (u.id === v.userId ? withPrivacy(u, v.platform, v.private) : u)),
      );
      return { before };
    },
    onError: (err: Error, _v, ctx) => {
      if (ctx?.before) queryClient.setQueryData(dashboardKeys.users(), ctx.before);
      toast.error('Could not change privacy', { description: err.message });
    },
    onSuccess: (_res, v) =>
      toast.success(`${v.label ?? v.platform} is now ${v.private ? 'hidden from' : 'shown on'} the public page`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: dashboardKeys.users() }),
  });
}

function withPrivacy(u: UserDto, platform: PlatformName, value: boolean): UserDto {
  return {
    ...u,
    privacy: { ...u.privacy, [platform]: value },
    connections: u.connections.map((c) => (c.platform === platform ? { ...c, private: value } : c)),
  };
}
