import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { handle, otherMethods, requireAnyBearer } from '@/lib/http';
import { getQueueMetrics, listenHealth, processMetrics } from '@/lib/queue';
import { METRICS_CONTENT_TYPE, renderMetrics } from '@/lib/observability/prometheus';

export const dynamic = 'force-dynamic';

/** Prometheus text format, for a scraper holding METRICS_TOKEN (or CRON_SECRET) as its bearer. */
export const GET = handle(async (req: Request) => {
  const e = env();
  const denied = requireAnyBearer(req, [e.METRICS_TOKEN, e.CRON_SECRET], 'METRICS_TOKEN (or CRON_SECRET)');
  if (denied) return denied;
  const now = new Date();
  const text = await renderMetrics({
    db: await getQueueMetrics(getDb(), { now }),
    process: processMetrics.snapshot(),
    listen: listenHealth(now),
    now,
  });
  return new Response(text, { headers: { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' } });
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
