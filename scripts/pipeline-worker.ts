/**
 * A scraper or NLP worker for the pipeline, speaking only the /queue/* HTTP API:
 *   npx tsx --conditions=react-server scripts/pipeline-worker.ts --role scraper --base-url http://localhost:3000 --api-key dev-queue-api-key
 * Options: --reviews-url (default $REVIEWS_URL, else the fake platform server's /reviews on
 * $FAKE_PLATFORMS_URL or http://127.0.0.1:4010), --spool-dir (default .data/pipeline-spool),
 * --max-jobs N, --until-drained (exit when nothing is left for this role), --idle-ms (default 1000).
 */
import { z } from 'zod';
import { runPipelineWorker } from '@/lib/pipeline/worker';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? undefined : argv[i + 1];
};

const Args = z.object({
  role: z.enum(['scraper', 'nlp'], { error: '--role must be scraper or nlp' }),
  baseUrl: z.url({ error: '--base-url must be a URL' }),
  apiKey: z.string({ error: '--api-key (or QUEUE_API_KEY) is required' }).min(1),
  reviewsUrl: z.url({ error: '--reviews-url must be a URL' }),
  spoolDir: z.string().min(1),
  maxJobs: z.coerce.number().int().min(1).optional(),
  idleDelayMs: z.coerce.number().int().min(10).max(60_000),
});

const parsed = Args.safeParse({
  role: flag('role'),
  baseUrl: flag('base-url') ?? 'http://localhost:3000',
  apiKey: flag('api-key') ?? process.env.QUEUE_API_KEY,
  reviewsUrl:
    flag('reviews-url') ??
    process.env.REVIEWS_URL ??
    `${process.env.FAKE_PLATFORMS_URL ?? 'http://127.0.0.1:4010'}/reviews`,
  spoolDir: flag('spool-dir') ?? '.data/pipeline-spool',
  maxJobs: flag('max-jobs'),
  idleDelayMs: flag('idle-ms') ?? 1000,
});
if (!parsed.success) {
  console.error(parsed.error.issues.map((i) => i.message).join('\n'));
  console.error(
    'usage: tsx --conditions=react-server scripts/pipeline-worker.ts --role scraper|nlp --base-url URL --api-key KEY [--reviews-url URL]',
  );
  process.exit(2);
}

const ac = new AbortController();
process.on('SIGINT', () => ac.abort());
process.on('SIGTERM', () => ac.abort());

const summary = await runPipelineWorker({
  ...parsed.data,
  untilDrained: argv.includes('--until-drained'),
  signal: ac.signal,
  log: (line) => console.log(line),
}).catch((err: unknown) => {
  if (ac.signal.aborted) return null;
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
if (summary) console.log(`${summary.name}: ${summary.processed.length} done, ${summary.errors.length} errors`);
