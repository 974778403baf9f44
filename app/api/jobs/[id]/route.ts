import { requireApiKeyOrOperator } from '@/lib/auth/guards';
import { getDb } from '@/lib/db';
import { getJobTypes } from '@/lib/job-types';
import { handle, json, otherMethods, parseOr400, readJson } from '@/lib/http';
import { getAuditedJob, updateAuditedStatus } from '@/lib/audit/jobs';
import { JobId, UpdateStatusBody } from '@/lib/audit/schemas';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export const GET = handle(async (req: Request, { params }: Ctx) => {
  const denied = requireApiKeyOrOperator(req);
  if (denied) return denied;
  const id = parseOr400(JobId, (await params).id, 'job id');
  return json(await getAuditedJob(getDb(), getJobTypes(), id));
});

/** An outside processor reporting a step; the reference's transition table decides what may follow what. */
export const PATCH = handle(async (req: Request, { params }: Ctx) => {
  const denied = requireApiKeyOrOperator(req);
  if (denied) return denied;
  const id = parseOr400(JobId, (await params).id, 'job id');
  const body = parseOr400(UpdateStatusBody, await readJson(req), 'body');
  return json(await updateAuditedStatus(getDb(), getJobTypes(), id, body, new Date()));
});
export const { POST, PUT, DELETE, OPTIONS } = otherMethods(['GET', 'PATCH']);
