/**
 * A small lexicon scorer for app reviews: enough to give the NLP stage real work and a stable,
 * explainable result. Negations flip the next sentiment word ("not good" counts as negative).
 */
const POSITIVE = new Set([
  'love',
  'loved',
  'great',
  'excellent',
  'amazing',
  'awesome',
  'good',
  'best',
  'fast',
  'easy',
  'smooth',
  'helpful',
  'perfect',
  'nice',
  'reliable',
  'beautiful',
  'fantastic',
  'intuitive',
  'useful',
  'recommend',
]);
const NEGATIVE = new Set([
  'hate',
  'bad',
  'terrible',
  'awful',
  'slow',
  'crash',
  'crashes',
  'crashed',
  'bug',
  'buggy',
  'broken',
  'worst',
  'useless',
  'annoying',
  'laggy',
  'ads',
  'expensive',
  'confusing',
  'freezes',
  'disappointing',
]);
const NEGATORS = new Set(['not', 'no', 'never', "don't", "doesn't", "isn't", "wasn't", 'hardly']);

import 'server-only';
export interface Review {
  id: string;
  rating: number;
  text: string;
}

/** -1 (all negative) … 1 (all positive); 0 when no sentiment word appears. */
export function scoreText(text: string): number {
  const words = text.toLowerCase().match(/[a-z']+/g) ?? [];
  let pos = 0;
  let neg = 0;
  let flip = false;
  for (const w of words) {
    if (NEGATORS.has(w)) {
      flip = true;
      continue;
    }
    const sign = POSITIVE.has(w) ? 1 : NEGATIVE.has(w) ? -1 : 0;
    if (sign !== 0) {
      if (sign > 0 !== flip) pos++;
      else neg++;
      flip = false;
    }
  }
  return pos + neg === 0 ? 0 : (pos - neg) / (pos + neg);
}

export interface SentimentSummary {
  reviews: number;
  meanScore: number;
  positive: number;
  negative: number;
  neutral: number;
  meanRating: number | null;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

export function summarize(reviews: Review[]): SentimentSummary {
  const scores = reviews.map((r) => scoreText(r.text));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    reviews: reviews.length,
    meanScore: reviews.length ? round3(sum(scores) / reviews.length) : 0,
    positive: scores.filter((s) => s > 0.2).length,
    negative: scores.filter((s) => s < -0.2).length,
    neutral: scores.filter((s) => s >= -0.2 && s <= 0.2).length,
    meanRating: reviews.length ? round3(sum(reviews.map((r) => r.rating)) / reviews.length) : null,
  };
}
