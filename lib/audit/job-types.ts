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

/** Types whose status an outside processor may set through the audit API. */
export const EXTERNALLY_WORKED = new Set([DOCUMENT_REVIEW]);
