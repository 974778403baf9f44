import 'server-only';
import type { Env } from '@/lib/env';
import { createGithubClient } from './github';
import { createInstagramClient } from './instagram';
import { createTwitterClient } from './twitter';
import { createYoutubeClient } from './youtube';
import type { PlatformClients } from './types';

export type { DayActivity, PlatformClient, PlatformClients, ClientConfig } from './types';
export { ProviderError } from './classify';

/** One client per platform, pointed at the base URLs and credentials in the environment. */
export function createPlatformClients(
  config: Pick<
    Env,
    | 'GITHUB_API_URL'
    | 'GITHUB_TOKEN'
    | 'YOUTUBE_API_URL'
    | 'YOUTUBE_API_KEY'
    | 'TWITTER_API_URL'
    | 'TWITTER_BEARER_TOKEN'
    | 'INSTAGRAM_API_URL'
    | 'INSTAGRAM_ACCESS_TOKEN'
    | 'PLATFORM_TIMEOUT_MS'
  >,
  opts: { fetch?: typeof fetch; maxPages?: number } = {},
): PlatformClients {
  const common = { timeoutMs: config.PLATFORM_TIMEOUT_MS, ...opts };
  return {
    github: createGithubClient({ ...common, baseUrl: config.GITHUB_API_URL, token: config.GITHUB_TOKEN }),
    youtube: createYoutubeClient({ ...common, baseUrl: config.YOUTUBE_API_URL, token: config.YOUTUBE_API_KEY }),
    twitter: createTwitterClient({ ...common, baseUrl: config.TWITTER_API_URL, token: config.TWITTER_BEARER_TOKEN }),
    instagram: createInstagramClient({
      ...common,
      baseUrl: config.INSTAGRAM_API_URL,
      token: config.INSTAGRAM_ACCESS_TOKEN,
    }),
  };
}
