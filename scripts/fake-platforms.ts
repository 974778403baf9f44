/**
 * Local stand-ins for the GitHub, YouTube, Twitter/X and Instagram APIs: the same paths and JSON
 * shapes, deterministic data per account and day, and faults on demand.
 *
 *   GET    /_control/stats   requests per "platform:account"
 *   GET    /_control         the active faults
 *   POST   /_control         {"faults"|"addFaults": [{platform?, handle?, mode, status?, retryAfterSec?, delayMs?, times?}],
 *                             "clearFaults"?, "resetStats"?, "now"?: ISO | null, "pageSize"?: n | null}
 *   DELETE /_control         clear faults, stats, pinned clock and page size
 *
 * Modes: rate_limit (429 + Retry-After, or status 403 with exhausted rate-limit headers), error
 * (status, default 503), not_found, unauthorized, forbidden, slow (delayMs). Accounts named "gone…"
 * answer 404 everywhere. FAKE_PLATFORMS_FAULTS takes the same fault list as JSON at start.
 *
 * `npx tsx scripts/fake-platforms.ts` runs it alone (FAKE_PLATFORMS_PORT, default 4010).
 */
import { z } from 'zod';
import { githubModule } from './fake-platforms/github';
import { youtubeModule } from './fake-platforms/youtube';
import { twitterModule } from './fake-platforms/twitter';
import { instagramModule } from './fake-platforms/instagram';
import { serveFakes, type FakeControl } from './fake-platforms/server';
import { FaultSchema, type Fault, type FakeModule } from './fake-platforms/types';
import { reviewsModule } from './fake-reviews';

export type { FakeModule, FakeRoute, FakeRequest, FakeReply, Fault, FaultInput } from './fake-platforms/types';
export type { FakeControl, FakeStats } from './fake-platforms/server';
export { itemsFor, fakeDayCount } from './fake-platforms/data';
export { fakeTwitterId } from './fake-platforms/twitter';

export interface FakePlatforms {
  url: string;
  /** Env var name → base URL, e.g. GITHUB_API_URL → http://127.0.0.1:4010/github */
  baseUrls: Record<string, string>;
  /** The same controls as /_control, for code in the same process (tests). */
  control: FakeControl;
  close(): Promise<void>;
}

export const PLATFORM_MODULES: readonly FakeModule[] = [githubModule, youtubeModule, twitterModule, instagramModule];

const extraModules: FakeModule[] = [reviewsModule];

/**
 * Mounts another fake API on every server started afterwards, e.g. in scripts/fake-reviews.ts:
 * `registerFakeModule(reviewsModule)`; its `envVar` then appears in `baseUrls`.
 */
export function registerFakeModule(module: FakeModule): void {
  if (!extraModules.some((m) => m.prefix === module.prefix)) extraModules.push(module);
}

export function parseFaultsEnv(value: string | undefined): Fault[] {
  if (!value || value.trim() === '') return [];
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    throw new Error(
      'FAKE_PLATFORMS_FAULTS must be a JSON array of faults, e.g. [{"platform":"github","mode":"rate_limit"}]',
    );
  }
  const parsed = z.array(FaultSchema).safeParse(raw);
  if (!parsed.success) throw new Error(`FAKE_PLATFORMS_FAULTS is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export async function startFakePlatforms(
  opts: { port?: number; modules?: FakeModule[]; faults?: Fault[] } = {},
): Promise<FakePlatforms> {
  const modules = [...(opts.modules ?? PLATFORM_MODULES), ...extraModules];
  const faults = opts.faults ?? parseFaultsEnv(process.env.FAKE_PLATFORMS_FAULTS);
  const running = await serveFakes(modules, { port: opts.port, faults });
  const baseUrls = Object.fromEntries(
    modules.filter((m) => m.envVar).map((m) => [m.envVar!, `${running.url}${m.prefix}`]),
  );
  return { url: running.url, baseUrls, control: running.control, close: running.close };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fake = await startFakePlatforms({ port: Number(process.env.FAKE_PLATFORMS_PORT ?? 4010) });
  console.log(`fake platform APIs on ${fake.url}`);
  for (const [k, v] of Object.entries(fake.baseUrls)) console.log(`  ${k}=${v}`);
  process.on('SIGINT', () => void fake.close().then(() => process.exit(0)));
  process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
}
