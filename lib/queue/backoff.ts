import { z } from 'zod';

export const BackoffPolicySchema = z.object({
  baseMs: z.number().int().min(0).max(86_400_000).default(5_000),
  maxMs: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400_000)
    .default(3_600_000),
  factor: z.number().min(1).max(10).default(2),
  // Fraction of the delay that is randomised; spreads retries so a burst of failures does not return as one.
  jitter: z.number().min(0).max(1).default(0.2),
  // Added to a job's priority number on each retry: the sync workload's "retry with decreasing priority".
  priorityStep: z.number().int().min(0).max(100).default(0),
});
export type BackoffPolicy = z.infer<typeof BackoffPolicySchema>;
export const DEFAULT_BACKOFF: BackoffPolicy = BackoffPolicySchema.parse({});

export function parseBackoff(value: unknown): BackoffPolicy {
  const parsed = BackoffPolicySchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : DEFAULT_BACKOFF;
}

/** Delay before retry number `attempt` (1 = first retry): capped exponential, jitter only shortens it. */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  const raw = Math.min(policy.maxMs, policy.baseMs * Math.pow(policy.factor, n - 1));
  const jittered = raw * (1 - policy.jitter * random());
  return Math.max(0, Math.round(jittered));
}

export function nextRunAt(attempt: number, now: Date, policy: BackoffPolicy, random?: () => number): Date {
  return new Date(now.getTime() + backoffDelayMs(attempt, policy, random));
}
