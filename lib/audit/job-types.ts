import 'server-only';
import { z } from 'zod';
import { defineJobType, type JobTypes } from '@/lib/queue';
import { DocumentPayload, extractDocument } from './document-extract';

export const AUDIT_QUEUE = 'jobs';
export const DOCUMENT_EXTRACT = 'document.extract';
/** Worked outside the app by a processor that reports each step through PATCH /api/jobs/{id}. */
export const DOCUMENT_REVIEW = 'document.review';

export const auditJobTypes: JobTypes = {
  [DOCUMENT_EXTRACT]: defineJobType({
    queue: AUDIT_QUEUE,
    payloadSchema: DocumentPayload,
    timeoutMs: 10_000,
    handle: async ({ payload, progress }) => {
      await progress(`Extracting ${payload.fileName}`);
      return extractDocument(payload);
    },
  }),
  [DOCUMENT_REVIEW]: defineJobType({
    queue: AUDIT_QUEUE,
    payloadSchema: z.record(z.string(), z.unknown()),
  }),
};

/** Built-in types whose status an outside processor may set through the audit API. */
export const EXTERNALLY_WORKED = new Set([DOCUMENT_REVIEW]);

type ExternalConfig = { AUDIT_EXTERNAL_JOB_TYPES: { queue: string; type: string }[] };

/**
 * The audit workload's types: the built-in ones and those configured in AUDIT_EXTERNAL_JOB_TYPES
 * (worked by an outside processor, like document.review, on the queue named there). A configured
 * name never replaces a built-in type of this or another workload: getJobTypes spreads these first.
 */
export function createAuditJobTypes(e: ExternalConfig): JobTypes {
  const out: JobTypes = {};
  for (const { queue, type } of e.AUDIT_EXTERNAL_JOB_TYPES) {
    out[type] = defineJobType({ queue, payloadSchema: z.record(z.string(), z.unknown()) });
    CONFIGURED.add(out[type]);
  }
  return { ...out, ...auditJobTypes };
}

// The definitions made from configuration: a name another workload also uses keeps that workload's
// definition in the app's registry, and so is not the audit workload's.
const CONFIGURED = new WeakSet<object>();
const isConfigured = (all: JobTypes, type: string) => Object.hasOwn(all, type) && CONFIGURED.has(all[type]);

/** Whether POST /api/jobs makes this type: the audit workload's own. Other workloads' jobs come from their routes. */
export const isAuditType = (all: JobTypes, type: string): boolean =>
  (Object.hasOwn(auditJobTypes, type) && all[type] === auditJobTypes[type]) || isConfigured(all, type);

export const isExternallyWorked = (all: JobTypes, type: string): boolean =>
  (EXTERNALLY_WORKED.has(type) && all[type] === auditJobTypes[type]) || isConfigured(all, type);

/** The configured queues, so the stats list them before their first job. */
export const externalQueues = (e: ExternalConfig): string[] => [
  ...new Set(e.AUDIT_EXTERNAL_JOB_TYPES.map((t) => t.queue)),
];
