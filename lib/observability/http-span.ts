import 'server-only';
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';

// A proxy tracer: a no-op until the app registers an SDK (docs/observability.md), then that SDK's.
const tracer = trace.getTracer('steady.http');

/**
 * A CLIENT span for one outgoing HTTP request (HTTP semantic conventions). The URL is recorded without
 * its query string, where some platforms take their API key.
 */
export function startClientSpan(method: string, url: URL, attributes: Record<string, string> = {}): Span {
  const span = tracer.startSpan(method, { kind: SpanKind.CLIENT });
  if (span.isRecording()) {
    span.setAttributes({
      'http.request.method': method,
      'server.address': url.hostname,
      'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      'url.full': `${url.origin}${url.pathname}`,
      ...attributes,
    });
  }
  return span;
}

/** Ends it with the response's status (5xx is an error; 4xx is the server's answer) or what was thrown. */
export function endClientSpan(span: Span, result: { status?: number; error?: unknown }): void {
  if (span.isRecording()) {
    if (result.status !== undefined) {
      span.setAttribute('http.response.status_code', result.status);
      if (result.status >= 500) {
        span.setAttribute('error.type', String(result.status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
    }
    if (result.error !== undefined) {
      const err = result.error;
      span.setAttribute('error.type', err instanceof Error ? err.name : 'Error');
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    }
  }
  span.end();
}
