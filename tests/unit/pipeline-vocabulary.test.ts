import { describe, expect, it } from 'vitest';
import type { JobStatus } from '@/lib/queue';
import { planUpdate, refState, type RefState } from '@/lib/pipeline/vocabulary';
import { scoreText, summarize } from '@/lib/pipeline/sentiment';

const job = (status: JobStatus, stage: string | null) => ({ status, stage });
const to = (stage: RefState['stage'], status: RefState['status']): RefState => ({ stage, status });

describe('pipeline vocabulary', () => {
  it('reads engine states in the reference’s words', () => {
    expect(refState(job('pending', 'scraper'))).toEqual(to('scraper', 'queued'));
    expect(refState(job('paused', 'nlp'))).toEqual(to('nlp', 'queued'));
    expect(refState(job('processing', 'nlp'))).toEqual(to('nlp', 'processing'));
    expect(refState(job('completed', 'done'))).toEqual(to('done', 'completed'));
    expect(refState(job('failed', 'nlp'))).toEqual(to('nlp', 'error'));
    expect(refState(job('cancelled', 'scraper'))).toEqual(to('scraper', 'error'));
  });

  it('allows exactly the lifecycle table’s steps', () => {
    const kind = (s: JobStatus, stage: string, target: RefState) => planUpdate(job(s, stage), target).kind;
    expect(kind('pending', 'scraper', to('scraper', 'processing'))).toBe('claim');
    expect(kind('processing', 'scraper', to('scraper', 'processing'))).toBe('heartbeat');
    expect(kind('processing', 'scraper', to('nlp', 'queued'))).toBe('advance');
    expect(kind('pending', 'nlp', to('nlp', 'processing'))).toBe('claim');
    expect(kind('processing', 'nlp', to('done', 'completed'))).toBe('finish');
    expect(kind('processing', 'nlp', to('nlp', 'error'))).toBe('fail');
    expect(kind('pending', 'scraper', to('scraper', 'error'))).toBe('cancel');

    expect(kind('pending', 'scraper', to('nlp', 'queued'))).toBe('claim-advance');
    expect(kind('pending', 'nlp', to('done', 'completed'))).toBe('claim-finish');

    // repeats of an update that already took effect
    const repeats: [JobStatus, string, RefState][] = [
      ['pending', 'scraper', to('scraper', 'queued')],
      ['pending', 'nlp', to('nlp', 'queued')],
      ['processing', 'nlp', to('nlp', 'queued')],
      ['processing', 'nlp', to('scraper', 'processing')],
      ['processing', 'scraper', to('scraper', 'queued')],
      ['completed', 'done', to('done', 'completed')],
      ['completed', 'done', to('nlp', 'queued')],
      ['failed', 'scraper', to('scraper', 'error')],
      ['cancelled', 'nlp', to('nlp', 'error')],
      ['failed', 'nlp', to('scraper', 'processing')],
    ];
    for (const [s, stage, target] of repeats)
      expect(kind(s, stage, target), `${s}/${stage} → ${JSON.stringify(target)}`).toBe('noop');

    const rejected: [JobStatus, string, RefState][] = [
      ['pending', 'scraper', to('done', 'completed')],
      ['pending', 'scraper', to('nlp', 'processing')],
      ['processing', 'scraper', to('done', 'completed')],
      ['processing', 'scraper', to('nlp', 'error')],
      ['paused', 'scraper', to('scraper', 'processing')],
      ['paused', 'scraper', to('nlp', 'queued')],
      ['completed', 'done', to('done', 'error')],
      ['failed', 'scraper', to('scraper', 'processing')],
      ['failed', 'nlp', to('nlp', 'queued')],
      ['failed', 'scraper', to('nlp', 'error')],
    ];
    for (const [s, stage, target] of rejected)
      expect(kind(s, stage, target), `${s}/${stage} → ${JSON.stringify(target)}`).toBe('reject');
  });
});

describe('sentiment', () => {
  it('scores with a lexicon, flipping negated words', () => {
    expect(scoreText('I love this app, great and fast')).toBe(1);
    expect(scoreText('slow and buggy, it crashes')).toBe(-1);
    expect(scoreText('not good')).toBe(-1);
    expect(scoreText('the weather')).toBe(0);
    expect(
      summarize([
        { id: '1', rating: 5, text: 'great' },
        { id: '2', rating: 1, text: 'terrible' },
        { id: '3', rating: 3, text: 'fine' },
      ]),
    ).toEqual({ reviews: 3, meanScore: 0, positive: 1, negative: 1, neutral: 1, meanRating: 3 });
  });
});
