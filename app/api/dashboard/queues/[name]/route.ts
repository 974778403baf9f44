import { z } from 'zod';
import { getDb } from '@/lib/db';
import { HttpError, handle, json, otherMethods, parseOr400, readJson } from '@/lib/http';
import { requireOperator } from '@/lib/auth/guards';
import { listQueues, setQueuePaused } from '@/lib/queue';
import { processSoon } from '@/lib/process-soon';

export const dynamic = 'force-dynamic';

const Params = z.object({ name: z.string().min(1).max(100) });
const Body = z.object({ paused: z.boolean() }).strict();

/** Pause or resume a queue. Resuming starts work on what waited, rather than at the next cron minute. */
export const POST = handle(async (req: Request, ctx: { params: Promise<{ name: string }> }) => {
  const denied = requireOperator(req);
  if (denied) return denied;
  const { name } = parseOr400(Params, await ctx.params, 'queue name');
  const { paused } = parseOr400(Body, await readJson(req), 'body');
  const db = getDb();
  // The engine creates unknown queues on write; from a button, an unknown name is a mistake.
  if (!(await listQueues(db)).some((q) => q.name === name)) throw new HttpError(404, `Queue ${name} not found`);
  const queue = await setQueuePaused(db, { name, paused, now: new Date() });
  if (!paused) processSoon(db);
  return json({ name: queue.name, paused: queue.paused, message: `Queue ${name} ${paused ? 'paused' : 'resumed'}` });
});
export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(['POST']);
