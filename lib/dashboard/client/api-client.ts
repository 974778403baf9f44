// Browser-side calls to the dashboard API. Errors carry the server's own message, which names the
// problem ("Queue x not found", "Another job with key … is already queued"), so toasts can show it.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export async function apiFetch<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers:
        init.body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      cache: 'no-store',
      signal: init.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'The server could not be reached; check your connection');
  }
  const data = (await res.json().catch(() => null)) as { error?: string; details?: unknown } | null;
  if (res.status === 401 && typeof window !== 'undefined') {
    // The session expired: send the person to sign in and back here afterwards.
    const next = window.location.pathname + window.location.search;
    window.location.assign(`/login?next=${encodeURIComponent(next)}`);
  }
  if (!res.ok) throw new ApiError(res.status, data?.error ?? `Request failed with status ${res.status}`, data?.details);
  return data as T;
}

export const postJson = <T>(path: string, body: unknown = {}) => apiFetch<T>(path, { method: 'POST', body });
