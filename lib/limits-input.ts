import 'server-only';
import { z } from 'zod';
import { wholeNumber } from '@/lib/whole-number';
import { env } from '@/lib/env';
import { requireBearer } from '@/lib/http';
import { requireOperator } from '@/lib/auth/guards';
import { LIMIT_BOUNDS, LIMIT_KEY_PATTERN } from '@/lib/queue';

// Named periods a person types; `periodMs` takes any whole number of milliseconds in the same range.
const PERIODS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

export const LimitKeyParam = z.object({
  key: z.string().regex(LIMIT_KEY_PATTERN, 'must be 1-200 characters without spaces or control characters'),
});

/**
 * A limit's settings as a person or script sends them: each optional (only what is given changes),
 * null removes that part. 0 concurrency or 0 rate pauses the key.
 */
export const LimitBody = z
  .object({
    concurrency: wholeNumber(LIMIT_BOUNDS.concurrency.min, LIMIT_BOUNDS.concurrency.max).nullable().optional(),
    rate: wholeNumber(LIMIT_BOUNDS.rate.min, LIMIT_BOUNDS.rate.max).nullable().optional(),
    per: z
      .enum(Object.keys(PERIODS) as [keyof typeof PERIODS, ...(keyof typeof PERIODS)[]], {
        error: `must be one of ${Object.keys(PERIODS).join(', ')}`,
      })
      .optional(),
    periodMs: wholeNumber(LIMIT_BOUNDS.periodMs.min, LIMIT_BOUNDS.periodMs.max).optional(),
    burst: wholeNumber(LIMIT_BOUNDS.burst.min, LIMIT_BOUNDS.burst.max).nullable().optional(),
  })
  .strict()
  .refine((b) => !(b.per && b.periodMs), { message: 'give per or periodMs, not both', path: ['per'] })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one of concurrency, rate, per, periodMs, burst' })
  .transform(({ per, periodMs, ...rest }) => ({
    ...rest,
    ...(per ? { periodMs: PERIODS[per] } : periodMs ? { periodMs } : {}),
  }));

export const CooldownBody = z.object({ seconds: wholeNumber(1, 86_400) }).strict();

/**
 * Limits change who waits for what, so they are an operator's: the dashboard's session (or the open
 * development dashboard), or a script with `Authorization: Bearer $QUEUE_API_KEY`. A request carrying an
 * Authorization header is judged by the bearer alone. Returns the denial, or who acts (for history).
 */
export function authorizeLimits(req: Request): { denied: Response } | { actor: string } {
  if (req.headers.get('authorization')) {
    const denied = requireBearer(req, env().QUEUE_API_KEY, 'QUEUE_API_KEY');
    return denied ? { denied } : { actor: 'api (QUEUE_API_KEY)' };
  }
  const denied = requireOperator(req);
  return denied ? { denied } : { actor: 'dashboard operator' };
}
