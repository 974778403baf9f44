import { describe, expect, it } from 'vitest';
import { PRIORITY, type Job, type JobStatus } from '@/lib/queue';
import {
  canAuditTransition,
  eventAuditStatus,
  sanitizeError,
  toAuditPriority,
  toAuditStatus,
  toEnginePriority as auditEnginePriority,
  AUDIT_PRIORITIES,
} from '@/lib/audit/vocabulary';
import { publicError, STATUS_OF, toProfilePriority, ENGINE_PRIORITY } from '@/lib/profile/vocabulary';
import { toEnginePriority, toTaskPriority, toTaskStatus } from '@/lib/queue-service/service';
import { extractDocument } from '@/lib/audit/document-extract';

const j = (status: JobStatus, extra: Partial<Job> = {}) =>
  ({ status, attempts: 0, deferrals: 0, maxAttempts: 3, lastError: null, ...extra }) as Job;

describe('audit vocabulary', () => {
  it('derives retrying from a waiting job that has run', () => {
    expect(toAuditStatus(j('pending'))).toBe('queued');
    expect(toAuditStatus(j('pending', { attempts: 1 }))).toBe('retrying');
    expect(toAuditStatus(j('pending', { deferrals: 1 }))).toBe('retrying');
    expect(toAuditStatus(j('paused', { attempts: 2 }))).toBe('retrying');
    expect(toAuditStatus(j('cancelled'))).toBe('failed');
    expect(eventAuditStatus({ toStatus: 'pending', fromStatus: 'processing', attempt: 0 })).toBe('retrying');
    expect(eventAuditStatus({ toStatus: 'pending', fromStatus: 'failed', attempt: 0 })).toBe('queued');
  });

  it('is the reference’s transition table', () => {
    expect(canAuditTransition('queued', 'processing')).toBe(true);
    expect(canAuditTransition('processing', 'retrying')).toBe(true);
    expect(canAuditTransition('retrying', 'failed')).toBe(true);
    expect(canAuditTransition('queued', 'completed')).toBe(false);
    expect(canAuditTransition('retrying', 'completed')).toBe(false);
    expect(canAuditTransition('completed', 'processing')).toBe(false);
    expect(canAuditTransition('failed', 'retrying')).toBe(false);
  });

  it('sanitises errors and round-trips priorities', () => {
    expect(sanitizeError(j('failed', { lastError: 'ECONNREFUSED 10.1.2.3:5432 password=hunter2' }))).toBe(
      'Processing failed',
    );
    expect(
      sanitizeError(
        j('pending', { attempts: 1, lastError: 'Lease expired: worker batch:host-7:123 stopped answering' }),
      ),
    ).toBe('The worker stopped responding; a retry is scheduled');
    expect(sanitizeError(j('pending', { deferrals: 1, lastError: 'Rate limited by github; retry after 60s' }))).toBe(
      'Rate limited by github; a retry is scheduled',
    );
    expect(sanitizeError(j('completed', { lastError: 'old' }))).toBeNull();
    for (const p of AUDIT_PRIORITIES) expect(toAuditPriority(auditEnginePriority(p))).toBe(p);
    expect(toAuditPriority(PRIORITY.normal + 1)).toBe('normal');
  });
});

describe('profile vocabulary', () => {
  it('maps statuses and priorities', () => {
    expect(STATUS_OF.paused).toBe('PAUSED');
    expect(STATUS_OF.cancelled).toBe('FAILED');
    expect(toProfilePriority(ENGINE_PRIORITY.HIGH)).toBe('HIGH');
    expect(toProfilePriority(ENGINE_PRIORITY.LOW)).toBe('LOW');
    expect(ENGINE_PRIORITY.HIGH).toBeLessThan(ENGINE_PRIORITY.LOW);
  });

  it('shows only public error text', () => {
    expect(publicError(j('failed', { lastError: 'Profile import failed: no platform could be read' }))).toBe(
      'Profile import failed: no platform could be read',
    );
    expect(publicError(j('failed', { lastError: 'fetch https://internal:9999/x failed' }))).toBe('Processing failed');
    expect(publicError(j('pending', { lastError: 'Lease expired: worker w:host:1 stopped answering' }))).toBe(
      'The worker stopped responding; will retry',
    );
    expect(publicError(j('completed', { lastError: 'x' }))).toBeNull();
  });
});

describe('QueueService vocabulary', () => {
  it('names statuses as the package does', () => {
    expect(toTaskStatus(j('pending'))).toBe('PENDING');
    expect(toTaskStatus(j('pending', { attempts: 1 }))).toBe('FAILED');
    expect(toTaskStatus(j('failed', { attempts: 1, maxAttempts: 3 }))).toBe('FAILED');
    expect(toTaskStatus(j('failed', { attempts: 3, maxAttempts: 3 }))).toBe('MAX_RETRIES_REACHED');
    expect(toTaskStatus(j('processing'))).toBe('PROCESSING');
    expect(toTaskStatus(j('completed'))).toBe('COMPLETED');
  });

  it('runs a higher package priority first, and round-trips it', () => {
    expect(toEnginePriority(2)).toBeLessThan(toEnginePriority(0));
    for (const p of [-5, 0, 1, 2, 10]) expect(toTaskPriority(toEnginePriority(p))).toBe(p);
    expect(toEnginePriority(1e9)).toBe(-1000);
  });
});

describe('document.extract', () => {
  it('extracts sections, contacts and terms, and refuses what is not text', () => {
    const r = extractDocument({
      fileName: 'cv.md',
      mimeType: 'text/markdown',
      text: '# Skills\nRust, Rust, Go\n\nContact: a@b.io https://x.dev',
    });
    expect(r.sections).toEqual([{ title: 'Skills', lines: 2 }]);
    expect(r.emails).toEqual(['a@b.io']);
    expect(r.links).toEqual(['https://x.dev']);
    expect(r.topTerms[0]).toEqual({ term: 'rust', count: 2 });
    expect(() => extractDocument({ fileName: 'x', mimeType: 'text/plain', contentBase64: '!!!' })).toThrow(
      /not valid base64/,
    );
    expect(() => extractDocument({ fileName: 'x', mimeType: 'text/plain', text: '   ' })).toThrow(/no text/);
  });
});
