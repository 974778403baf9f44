import 'server-only';
import { z } from 'zod';
import { platform, type Platform } from '@/drizzle/schema';

export type { Platform };

export const PLATFORMS = platform.enumValues;
export const PlatformSchema = z.enum(PLATFORMS);

export const PLATFORM_LABELS: Record<Platform, string> = {
  github: 'GitHub',
  youtube: 'YouTube',
  twitter: 'Twitter/X',
  instagram: 'Instagram',
};

/** The users column that hides a platform from the public page and API. */
export const PRIVACY_COLUMNS = {
  github: 'github_private',
  youtube: 'youtube_private',
  twitter: 'twitter_private',
  instagram: 'instagram_private',
} as const satisfies Record<Platform, string>;

export const SYNC_JOB_TYPE = 'sync.platform';
export const SYNC_QUEUE = 'sync';

/** One task per user, platform and day: while it is unfinished, enqueueing it again returns it. */
export const syncDedupKey = (userId: string, p: Platform, date: string) => `sync:${userId}:${p}:${date}`;
