import 'server-only';
import { PermanentJobError } from '@/lib/queue';
import { PLATFORM_LABELS, type Platform } from './platforms';

/** What each platform's API accepts as the account on a connection. */
export const HANDLE_PATTERNS: Record<Platform, { pattern: RegExp; expected: string }> = {
  github: { pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, expected: 'a GitHub username' },
  youtube: { pattern: /^[A-Za-z0-9_-]{1,64}$/, expected: 'a YouTube channel id (UC…)' },
  twitter: { pattern: /^(?:\d{1,20}|@?[A-Za-z0-9_]{1,15})$/, expected: 'an X username or numeric user id' },
  instagram: { pattern: /^[A-Za-z0-9_.-]{1,64}$/, expected: 'an Instagram user id' },
};

export function isValidHandle(platform: Platform, handle: string): boolean {
  return HANDLE_PATTERNS[platform].pattern.test(handle);
}

/** A handle the API cannot accept will never sync: fail for good, saying what was expected. */
export function requireHandle(platform: Platform, handle: string): string {
  if (!isValidHandle(platform, handle)) {
    const { expected } = HANDLE_PATTERNS[platform];
    throw new PermanentJobError(
      `"${handle.slice(0, 80)}" is not ${expected}; fix the ${PLATFORM_LABELS[platform]} connection`,
    );
  }
  return handle.replace(/^@/, '');
}
