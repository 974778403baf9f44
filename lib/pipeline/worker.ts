import 'server-only';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { summarize, type Review } from './sentiment';

/**
 * A scraper or NLP worker that speaks only the reference's HTTP contract (scrape-nlp-pipeline.md), as an
 * outside worker in any language would: poll claims a job, `processing` confirms it, the result moves it
 * on. The scraper hands reviews to the NLP stage through a spool directory, as the reference's workers
 * share their own store; NLP fetches them again if the file is not there (another machine).
 */
export interface WorkerOptions {
  role: 'scraper' | 'nlp';
  baseUrl: string;
  apiKey: string;
  /** Base of the review listing, e.g. http://127.0.0.1:4010/reviews */
  reviewsUrl: string;
  spoolDir: string;
  name?: string;
  fetch?: typeof fetch;
  /** Stop after this many jobs. */
  maxJobs?: number;
  /** Stop once nothing is left for this role or any stage before it. Otherwise poll forever. */
  untilDrained?: boolean;
  idleDelayMs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface WorkerSummary {
  name: string;
  processed: string[];
  errors: { appId: string; message: string }[];
}

const ListItem = z.object({ job_id: z.string(), app_id: z.string(), stage: z.string(), status: z.string() });
const ReviewPage = z.object({
  reviews: z.array(z.object({ id: z.string(), rating: z.number(), text: z.string() })),
  next_page: z.number().int().nullable(),
});
const Overview = z.object({ active_jobs: z.array(z.object({ stage: z.string(), status: z.string() })) });

class StoreError extends Error {}
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function runPipelineWorker(opts: WorkerOptions): Promise<WorkerSummary> {
  const doFetch = opts.fetch ?? fetch;
  const name = opts.name ?? `${opts.role}-${process.pid}-${randomUUID().slice(0, 4)}`;
  const log = opts.log ?? (() => {});
  const summary: WorkerSummary = { name, processed: [], errors: [] };
  const base = opts.baseUrl.replace(/\/$/, '');
  const headers = { authorization: `Bearer ${opts.apiKey}`, 'content-type': 'application/json' };

  const api = async (method: 'GET' | 'POST', route: string, body?: unknown): Promise<unknown> => {
    const res = await doFetch(`${base}${route}`, {
      method,
      headers,
      body: body ? JSON.stringify(body) : undefined,
      signal: opts.signal,
    });
    const data = await res.json().catch(() => null);
    if (!res.ok) throw new ApiError(res.status, `${method} ${route} → ${res.status} ${JSON.stringify(data)}`);
    return data;
  };
  const update = (jobId: string, body: Record<string, unknown>) =>
    api('POST', `/queue/${encodeURIComponent(jobId)}/update`, { ...body, worker: name });

  const drained = async () => {
    const { active_jobs } = Overview.parse(await api('GET', '/queue/overview'));
    return !active_jobs.some((j) => opts.role === 'nlp' || j.stage === 'scraper');
  };

  while (!opts.signal?.aborted && summary.processed.length + summary.errors.length < (opts.maxJobs ?? Infinity)) {
    const polled = z
      .array(ListItem)
      .parse(await api('GET', `/queue/poll?stage=${opts.role}&status=queued&limit=1&worker=${name}`));
    const job = polled[0];
    if (!job) {
      if (opts.untilDrained && (await drained())) break;
      await new Promise((r) => setTimeout(r, opts.idleDelayMs ?? 1000));
      continue;
    }
    try {
      await update(job.job_id, { status: 'processing', stage: opts.role });
      if (opts.role === 'scraper') {
        const reviews = await fetchReviews(doFetch, opts.reviewsUrl, job.app_id, opts.signal);
        await spool(opts.spoolDir, job.app_id, reviews);
        await update(job.job_id, { status: 'queued', stage: 'nlp' });
        log(`${name}: scraped ${reviews.length} reviews of ${job.app_id}`);
      } else {
        const reviews =
          (await unspool(opts.spoolDir, job.app_id)) ??
          (await fetchReviews(doFetch, opts.reviewsUrl, job.app_id, opts.signal));
        const result = summarize(reviews);
        await update(job.job_id, { status: 'completed', stage: 'done', result });
        log(`${name}: scored ${job.app_id}: mean ${result.meanScore} over ${result.reviews} reviews`);
      }
      summary.processed.push(job.app_id);
    } catch (err) {
      // 409: the lease ran out and the job moved on (rescued, taken by another worker); leave it to them.
      if (err instanceof ApiError && err.status === 409) {
        log(`${name}: lost ${job.app_id}: ${err.message}`);
        continue;
      }
      if (!(err instanceof StoreError)) throw err;
      await update(job.job_id, { status: 'error', stage: opts.role, error_message: err.message });
      summary.errors.push({ appId: job.app_id, message: err.message });
      log(`${name}: ${job.app_id} failed: ${err.message}`);
    }
  }
  return summary;
}

/** Every page of an app's reviews; a 5xx is retried twice, a 4xx is the app's own problem. */
async function fetchReviews(
  doFetch: typeof fetch,
  baseUrl: string,
  appId: string,
  signal?: AbortSignal,
): Promise<Review[]> {
  const out: Review[] = [];
  for (let page: number | null = 1; page !== null && page <= 50;) {
    const url = `${baseUrl.replace(/\/$/, '')}/apps/${encodeURIComponent(appId)}/reviews?page=${page}`;
    let res: Response | undefined;
    for (let tryNo = 0; tryNo < 3; tryNo++) {
      res = await doFetch(url, { signal }).catch((err: unknown) => {
        throw new StoreError(`The store could not be reached: ${err instanceof Error ? err.message : String(err)}`);
      });
      if (res.status < 500) break;
    }
    if (!res!.ok) throw new StoreError(`The store answered ${res!.status} for ${appId}`);
    const parsed = ReviewPage.parse(await res!.json());
    out.push(...parsed.reviews);
    page = parsed.next_page;
  }
  return out;
}

const spoolPath = (dir: string, appId: string) =>
  path.join(dir, `${appId.replace(/[^A-Za-z0-9._-]/g, '_')}.reviews.json`);

async function spool(dir: string, appId: string, reviews: Review[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file = spoolPath(dir, appId);
  const tmp = `${file}.${randomUUID().slice(0, 8)}.tmp`;
  await writeFile(tmp, JSON.stringify(reviews));
  await rename(tmp, file); // readers never see a half-written file
}

async function unspool(dir: string, appId: string): Promise<Review[] | null> {
  try {
    return z.array(ReviewPage.shape.reviews.element).parse(JSON.parse(await readFile(spoolPath(dir, appId), 'utf8')));
  } catch {
    return null;
  }
}
