import {
  context,
  trace,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Link,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import type { Outcome } from './execute';
import type { Job } from './types';

/**
 * OpenTelemetry spans through @opentelemetry/api alone: without a registered SDK every span is a
 * non-recording no-op, and nothing below formats, parses or stores anything for it. With one (see
 * docs/observability.md), an enqueue is a PRODUCER span whose W3C traceparent is kept on the job
 * (metadata.traceparent), and each run a CONSUMER span: the child of that span for the first attempt,
 * a new trace linked to it for later ones (a retry may come hours later, from another process).
 * Attributes follow OpenTelemetry's messaging semantic conventions.
 */

// A proxy: it finds the SDK's tracer once one is registered, also after this module was loaded.
const tracer = trace.getTracer('steady.queue');

const MESSAGING_SYSTEM = 'steady';
const ATTR = {
  system: 'messaging.system',
  destination: 'messaging.destination.name',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  messageId: 'messaging.message.id',
  batchCount: 'messaging.batch.message_count',
  jobType: 'steady.job.type',
  attempt: 'steady.job.attempt',
  outcome: 'steady.job.outcome',
} as const;

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The W3C traceparent of a span context ("00-<trace id>-<span id>-<flags>"). */
const toTraceparent = (c: SpanContext): string =>
  `00-${c.traceId}-${c.spanId}-${(c.traceFlags & 0xff).toString(16).padStart(2, '0')}`;

/** A span context from a stored traceparent; null for anything else. */
function fromTraceparent(value: unknown): SpanContext | null {
  if (typeof value !== 'string') return null;
  const m = TRACEPARENT.exec(value);
  if (!m || /^0+$/.test(m[1]) || /^0+$/.test(m[2])) return null;
  return { traceId: m[1], spanId: m[2], traceFlags: parseInt(m[3], 16) & TraceFlags.SAMPLED, isRemote: true };
}

/**
 * Starts the span of one enqueue call (one span for the call's jobs, as a batch publish is). Answers the
 * traceparent to store on each new job, or null when the span is not recording; `queues` is asked for
 * only then.
 */
export function startEnqueueSpan(
  count: number,
  queues: () => readonly string[],
): { span: Span; traceparent: string | null } {
  const span = tracer.startSpan('send', { kind: SpanKind.PRODUCER });
  if (!span.isRecording()) return { span, traceparent: null };
  const named = queues();
  if (named.length === 1) {
    span.updateName(`send ${named[0]}`);
    span.setAttribute(ATTR.destination, named[0]);
  }
  span.setAttribute(ATTR.system, MESSAGING_SYSTEM);
  span.setAttribute(ATTR.operationType, 'send');
  span.setAttribute(ATTR.operationName, 'send');
  if (count !== 1) span.setAttribute(ATTR.batchCount, count);
  return { span, traceparent: toTraceparent(span.spanContext()) };
}

/** Ends an enqueue span with the job's id (a call of one job: messaging.message.id) or the error. */
export function endEnqueueSpan(span: Span, result: { id?: string; error?: unknown }): void {
  if (span.isRecording()) {
    if (result.id !== undefined) span.setAttribute(ATTR.messageId, result.id);
    if (result.error !== undefined) failSpan(span, result.error);
  }
  span.end();
}

/**
 * Starts the span of one run. The job's stored traceparent is parsed only when it has one, which it has
 * only if an SDK recorded its enqueue; the rest waits until the span is known to record.
 */
export function startRunSpan(job: Job): Span {
  const enqueued = job.metadata?.traceparent === undefined ? null : fromTraceparent(job.metadata.traceparent);
  const first = job.attempts <= 1;
  const links: Link[] | undefined = enqueued && !first ? [{ context: enqueued }] : undefined;
  const parent = enqueued && first ? trace.setSpanContext(ROOT_CONTEXT, enqueued) : context.active();
  const span = tracer.startSpan(`process ${job.queue}`, { kind: SpanKind.CONSUMER, links, root: !!links }, parent);
  if (span.isRecording()) {
    span.setAttribute(ATTR.system, MESSAGING_SYSTEM);
    span.setAttribute(ATTR.operationType, 'process');
    span.setAttribute(ATTR.operationName, 'process');
    span.setAttribute(ATTR.destination, job.queue);
    span.setAttribute(ATTR.messageId, job.id);
    span.setAttribute(ATTR.jobType, job.type);
    span.setAttribute(ATTR.attempt, job.attempts);
  }
  return span;
}

/** Ends a run span with its outcome; a failed or lost run is an error, a retry or deferral is not. */
export function endRunSpan(span: Span, outcome: Outcome, error?: string): void {
  if (span.isRecording()) {
    span.setAttribute(ATTR.outcome, outcome);
    if (outcome === 'failed' || outcome === 'lost') span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    else if (error !== undefined) span.addEvent('exception', { 'exception.message': error });
  }
  span.end();
}

function failSpan(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** Runs `fn` with `span` as the active span, so spans started inside (HTTP calls) are its children. */
export const withSpan = <T>(span: Span, fn: () => T): T => context.with(trace.setSpan(context.active(), span), fn);
