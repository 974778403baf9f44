import 'server-only';
import { appBaseUrl, type Env } from '@/lib/env';

export const PROCESS_QUEUE_PATH = '/api/cron/process-queue';
// A call started in the background answers 202 as soon as it has its place: a slow answer means
// something is wrong, and the caller must not spend its own remaining time waiting.
const START_TIMEOUT_MS = 5_000;

/**
 * Starts one more process-queue call on the app's own address (APP_URL or VERCEL_URL, never a
 * request's Host), with the cron bearer, in the background. Resolves true when it was accepted (202).
 * Undefined when the app has no address of its own or no cron secret: then nothing fans out, and
 * the next cron tick carries the backlog on.
 */
export function processQueueFanOut(e: Env, fetchImpl: typeof fetch = fetch): (() => Promise<boolean>) | undefined {
  const base = appBaseUrl(e);
  if (!base || !e.CRON_SECRET) return undefined;
  const target = new URL(PROCESS_QUEUE_PATH, base);
  const headers: Record<string, string> = {
    authorization: `Bearer ${e.CRON_SECRET}`,
    'content-type': 'application/json',
    'user-agent': 'steady-fan-out',
    ...(e.VERCEL_AUTOMATION_BYPASS_SECRET ? { 'x-vercel-protection-bypass': e.VERCEL_AUTOMATION_BYPASS_SECRET } : {}),
  };
  return async () => {
    try {
      const res = await fetchImpl(target, {
        method: 'POST',
        headers,
        body: JSON.stringify({ background: true }),
        // A redirect could lead anywhere: the bearer goes to this address or nowhere.
        redirect: 'manual',
        signal: AbortSignal.timeout(START_TIMEOUT_MS),
      });
      await res.body?.cancel();
      return res.status === 202;
    } catch (err) {
      console.error(
        `process-queue: starting another call at ${target.origin} failed:`,
        err instanceof Error ? err.message : err,
      );
      return false;
    }
  };
}
