import 'server-only';
import { z } from 'zod';

const flag = (fallback: boolean) =>
  z
    .enum(['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : ['1', 'true', 'on', 'yes'].includes(v)));

const secret = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))
  .refine((v) => v === undefined || v.length >= 8, 'must be at least 8 characters');

// A bearer token cannot carry whitespace, so such a secret could never be presented.
const bearerSecret = secret.refine(
  (v) => v === undefined || !/\s/.test(v),
  'must not contain spaces or other whitespace',
);

const url = z.url({ protocol: /^https?$/ });

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(5),
  DATABASE_IDLE_TIMEOUT_S: z.coerce.number().int().min(0).max(3600).default(20),
  DATABASE_CONNECT_TIMEOUT_S: z.coerce.number().int().min(1).max(120).default(5),
  // Transaction-mode poolers (PgBouncer, Supavisor, Neon pooled) reject named prepared statements.
  DATABASE_PREPARE: flag(true),
  CRON_SECRET: bearerSecret,
  QUEUE_API_KEY: bearerSecret,
  // Bearer for GET /api/metrics (and /api/health's details); CRON_SECRET is taken too.
  METRICS_TOKEN: bearerSecret,
  // /api/health answers 503 once a due job has waited longer than this for a worker.
  HEALTH_MAX_DUE_AGE_S: z.coerce
    .number()
    .int()
    .min(10)
    .max(7 * 86_400)
    .default(300),
  DASHBOARD_PASSWORD: secret,
  SESSION_SECRET: secret,
  GITHUB_API_URL: url.default('https://api.github.com'),
  GITHUB_TOKEN: z.string().optional(),
  YOUTUBE_API_URL: url.default('https://www.googleapis.com/youtube/v3'),
  YOUTUBE_API_KEY: z.string().optional(),
  TWITTER_API_URL: url.default('https://api.twitter.com/2'),
  TWITTER_BEARER_TOKEN: z.string().optional(),
  INSTAGRAM_API_URL: url.default('https://graph.instagram.com'),
  INSTAGRAM_ACCESS_TOKEN: z.string().optional(),
  PLATFORM_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  // Audited job types an outside processor works (reporting through PATCH /api/jobs/{id}), as
  // comma-separated queue/type pairs: resume-processing/extract-resume-content,…
  AUDIT_EXTERNAL_JOB_TYPES: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^[A-Za-z0-9_.:-]{1,100}\/[A-Za-z0-9_.:-]{1,100}$/,
            'must be comma-separated queue/type pairs of letters, digits, ".", "_", ":" and "-"',
          ),
      ),
    )
    .transform((pairs) => pairs.map((p) => ({ queue: p.split('/')[0], type: p.split('/')[1] }))),
  // Seconds a serverless invocation may run; process-queue keeps its batch budget below it.
  PROCESS_QUEUE_MAX_DURATION_S: z.coerce.number().int().min(5).max(900).default(60),
  // process-queue calls at work at once, across every instance (cron ticks, fan-out, dashboard runs).
  PROCESS_QUEUE_MAX_PARALLEL: z.coerce.number().int().min(1).max(64).default(4),
  // The app's own address, for the calls process-queue starts (fan-out): from configuration, never
  // from a request's Host header, which the caller controls. On Vercel, VERCEL_URL stands in.
  APP_URL: url.optional(),
  VERCEL_URL: z
    .string()
    .regex(/^[a-z0-9.-]+(:\d+)?$/i, 'must be a host name, as Vercel sets it')
    .optional(),
  // Sent as x-vercel-protection-bypass so a fan-out call passes Vercel's deployment protection.
  VERCEL_AUTOMATION_BYPASS_SECRET: z.string().optional(),
});

export type Env = z.infer<typeof EnvSchema>;

/** Where the app reaches itself (APP_URL, else https://VERCEL_URL); undefined when neither is set. */
export function appBaseUrl(e: Env): URL | undefined {
  if (e.APP_URL) return new URL(e.APP_URL);
  if (e.VERCEL_URL) return new URL(`https://${e.VERCEL_URL}`);
  return undefined;
}

export class EnvError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid environment:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new EnvError(parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`));
  }
  return parsed.data;
}

let cached: Env | undefined;

// Parsed on first use, not at import: `next build` imports route modules without a runtime env.
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
