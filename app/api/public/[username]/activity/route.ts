import { z } from 'zod';
import { getDb } from '@/lib/db';
import { HttpError, handle, json, otherMethods, parseOr400, queryObject } from '@/lib/http';
import { getPublicActivity } from '@/lib/sync/activity';
import { addDays, daysBetween, IsoDateSchema, todayUtc } from '@/lib/sync/dates';
import { USERNAME_PATTERN } from '@/lib/sync/users';

export const dynamic = 'force-dynamic';

const MAX_RANGE_DAYS = 400;

const Query = z.object({ from: IsoDateSchema.optional(), to: IsoDateSchema.optional() }).strict();

/** Public: no sign-in. Private platforms are absent from the answer, as are payloads and errors. */
export const GET = handle(async (req: Request, { params }: { params: Promise<{ username: string }> }) => {
  const { username } = await params;
  const notFound = new HttpError(404, `No user named "${username.slice(0, 40)}"`);
  if (!USERNAME_PATTERN.test(username)) throw notFound;
  const query = parseOr400(Query, queryObject(req), 'query');
  const to = query.to ?? todayUtc(new Date());
  const from = query.from ?? addDays(to, -364);
  const span = daysBetween(from, to) + 1;
  if (span < 1) throw new HttpError(400, `Invalid query: from (${from}) is after to (${to})`);
  if (span > MAX_RANGE_DAYS)
    throw new HttpError(400, `Invalid query: the range is ${span} days; at most ${MAX_RANGE_DAYS} are allowed`);
  const activity = await getPublicActivity(getDb(), username, { from, to });
  if (!activity) throw notFound;
  return json(activity);
});
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
