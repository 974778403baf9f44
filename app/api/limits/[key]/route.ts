import { getDb } from '@/lib/db';
import { HttpError, handle, json, otherMethods, parseOr400, readJson } from '@/lib/http';
import { removeLimit, setLimit } from '@/lib/queue';
import { LimitBody, LimitKeyParam, authorizeLimits } from '@/lib/limits-input';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ key: string }> };

/** Creates or changes the limit on a key (only the settings given); takes effect on the next claim. */
export const PUT = handle(async (req: Request, { params }: Ctx) => {
  const auth = authorizeLimits(req);
  if ('denied' in auth) return auth.denied;
  const { key } = parseOr400(LimitKeyParam, await params, 'limit key');
  const body = parseOr400(LimitBody, await readJson(req), 'body');
  return json(await setLimit(getDb(), key, body, { actor: auth.actor, now: new Date() }));
});

export const DELETE = handle(async (req: Request, { params }: Ctx) => {
  const auth = authorizeLimits(req);
  if ('denied' in auth) return auth.denied;
  const { key } = parseOr400(LimitKeyParam, await params, 'limit key');
  if (!(await removeLimit(getDb(), key, { actor: auth.actor, now: new Date() })))
    throw new HttpError(404, `No limit on "${key}"`);
  return json({ removed: key });
});
export const { GET, POST, PATCH, HEAD, OPTIONS } = otherMethods(['PUT', 'DELETE']);
