import 'server-only';
import { z } from 'zod';
import { isValidHandle, HANDLE_PATTERNS } from '@/lib/sync/handles';
import type { Platform } from '@/lib/sync/platforms';
import { PROFILE_PRIORITIES } from './vocabulary';

/** The users table's rule: a letter or digit, then up to 38 letters, digits, ".", "_" or "-". */
export const Username = z
  .string()
  .min(1, 'is required')
  .max(39, 'must be at most 39 characters')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
    'must start with a letter or digit and contain only letters, digits, ".", "_" and "-"',
  );

const handle = (p: Platform) =>
  z
    .string()
    .trim()
    .refine((h) => isValidHandle(p, h), `must be ${HANDLE_PATTERNS[p].expected}`);

export const Platforms = z
  .object({
    github: handle('github'),
    youtube: handle('youtube'),
    twitter: handle('twitter'),
    instagram: handle('instagram'),
  })
  .partial()
  .strict();
export type PlatformHandles = z.infer<typeof Platforms>;

// The reference's columns: VARCHAR(100) source, VARCHAR(50) request_id. Any printable text fits them;
// control characters (and NUL, which PostgreSQL text cannot hold) do not.
const printable = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'is required')
    .max(max, `must be at most ${max} characters`)
    .regex(/^\P{Cc}*$/u, 'must not contain control characters');

export const RequestBody = z
  .object({
    source: printable(100).default('manual'),
    priority: z.enum(PROFILE_PRIORITIES, { error: 'must be HIGH or LOW' }).default('LOW'),
    request_id: printable(50).optional(),
    /** The reference's `timestamp` column: when the client made the request. Kept with the job. */
    timestamp: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
    platforms: Platforms.optional(),
    /** Queue the request as PAUSED: it waits until POST /api/profile/{username}/resume. */
    paused: z.boolean().default(false),
  })
  .strict();
export type RequestInput = z.infer<typeof RequestBody>;

export const ProfilePayload = z.object({
  username: Username,
  source: z.string().max(100),
  requestId: z.string().max(60),
  platforms: Platforms.default({}),
});
export type ProfilePayload = z.infer<typeof ProfilePayload>;
