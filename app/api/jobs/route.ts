import { requireApiKeyOrOperator } from '@/lib/auth/guards';
import { getDb } from '@/lib/db';
import { handle, json, otherMethods, parseOr400, queryObject, readJson } from '@/lib/http';
import { getJobTypes } from '@/lib/job-types';
import { processSoon } from '@/lib/process-soon';
import { createAuditedJob, traceJobs } from '@/lib/audit/jobs';
import { CreateJobBody, ListJobsQuery } from '@/lib/audit/schemas';

export const dynamic = 'force-dynamic';

export const POST = handle(async (req: Request) => {
  const denied = requireApiKeyOrOperator(req);
  if (denied) return denied;
  const body = parseOr400(CreateJobBody, await readJson(req), 'body');
  const db = getDb();
  const created = await createAuditedJob(db, getJobTypes(), body, new Date());
  // Jobs the app works itself start within seconds instead of at the next cron minute.
  processSoon(db);
  return json(created, 201);
});

/** Tracing: every job sharing a correlation id, or every job linked to one entity. */
export const GET = handle(async (req: Request) => {
  const denied = requireApiKeyOrOperator(req);
  if (denied) return denied;
  const query = parseOr400(ListJobsQuery, queryObject(req), 'query');
  return json(await traceJobs(getDb(), getJobTypes(), query));
});
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET', 'POST']);
