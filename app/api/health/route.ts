import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { bearerToken, handle, json, otherMethods, requireAnyBearer } from '@/lib/http';
import { checkHealth } from '@/lib/observability/health';

export const dynamic = 'force-dynamic';

/**
 * For uptime monitors: 200 {"ok":true} or 503 {"ok":false}. With METRICS_TOKEN or CRON_SECRET as a
 * bearer, the answer also says why and shows each check; any other caller learns only ok or not.
 */
export const GET = handle(async (req: Request) => {
  const e = env();
  const report = await checkHealth(getDb(), { now: new Date(), maxDueAgeS: e.HEALTH_MAX_DUE_AGE_S });
  const detailed =
    bearerToken(req) !== null && requireAnyBearer(req, [e.METRICS_TOKEN, e.CRON_SECRET], 'METRICS_TOKEN') === null;
  return json(detailed ? report : { ok: report.ok }, report.ok ? 200 : 503);
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
