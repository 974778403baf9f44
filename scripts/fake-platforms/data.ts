import { createHash } from 'node:crypto';

export interface FakeItem {
  id: string;
  at: Date;
  kind: string;
  title: string;
  repo?: string;
}

interface Profile {
  /** Chance that a day has anything. */
  active: number;
  max: number;
  kinds: string[];
  /** Items of these kinds are served but are not the activity a client counts (YouTube likes). */
  ignored?: string[];
}

const PROFILES: Record<string, Profile> = {
  github: {
    active: 0.7,
    max: 12,
    kinds: [
      'PushEvent',
      'PushEvent',
      'PullRequestEvent',
      'IssuesEvent',
      'IssueCommentEvent',
      'CreateEvent',
      'PullRequestReviewEvent',
    ],
  },
  youtube: { active: 0.3, max: 2, kinds: ['upload'], ignored: ['like', 'playlistItem'] },
  twitter: { active: 0.6, max: 8, kinds: ['post'] },
  instagram: { active: 0.4, max: 3, kinds: ['IMAGE', 'IMAGE', 'VIDEO', 'CAROUSEL_ALBUM'] },
};

// mulberry32: tiny, fast and good enough to make days look different from each other.
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedOf(...parts: string[]): number {
  return createHash('sha256').update(parts.join('|')).digest().readUInt32BE(0);
}

/** Everything `account` did on `platform` during the UTC day `date`, oldest first. Same input, same output. */
export function itemsFor(platform: string, account: string, date: string): FakeItem[] {
  const profile = PROFILES[platform];
  if (!profile) return [];
  const handle = account.toLowerCase();
  const rand = prng(seedOf(platform, handle, date));
  const dayStart = Date.parse(`${date}T00:00:00Z`);
  const counted = rand() < profile.active ? 1 + Math.floor(rand() * profile.max) : 0;
  const noise = profile.ignored && rand() < 0.5 ? 1 + Math.floor(rand() * 2) : 0;
  const items: FakeItem[] = [];
  for (let i = 0; i < counted + noise; i++) {
    const kinds = i < counted ? profile.kinds : profile.ignored!;
    const kind = kinds[Math.floor(rand() * kinds.length)];
    const at = new Date(dayStart + Math.floor(rand() * 86_400) * 1000);
    items.push({
      id: String(seedOf(platform, handle, date, String(i))) + String(i).padStart(3, '0'),
      at,
      kind,
      title: `${kind} ${i + 1} by ${handle} on ${date}`,
      repo: platform === 'github' ? `${handle}/project-${1 + Math.floor(rand() * 4)}` : undefined,
    });
  }
  return items.sort((a, b) => a.at.getTime() - b.at.getTime() || a.id.localeCompare(b.id));
}

/** What a correct client counts for that day: every item except the ones it should ignore. */
export function fakeDayCount(platform: string, account: string, date: string): number {
  const ignored = PROFILES[platform]?.ignored ?? [];
  return itemsFor(platform, account, date).filter((i) => !ignored.includes(i.kind)).length;
}

const DAY_MS = 86_400_000;

/** Items whose time falls in [from, to), and not after `now` (the future has not happened yet). */
export function itemsBetween(
  platform: string,
  account: string,
  from: Date,
  to: Date,
  now: Date,
  maxDays = 400,
): FakeItem[] {
  const end = Math.min(to.getTime(), now.getTime() + 1);
  const out: FakeItem[] = [];
  const first = Math.floor(from.getTime() / DAY_MS) * DAY_MS;
  for (let day = first, n = 0; day < end && n < maxDays; day += DAY_MS, n++) {
    const date = new Date(day).toISOString().slice(0, 10);
    for (const item of itemsFor(platform, account, date)) {
      if (item.at >= from && item.at.getTime() < end) out.push(item);
    }
  }
  return out;
}

/** Offsets in opaque page tokens, like the real APIs' cursors. */
export const encodeCursor = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');
export function decodeCursor(token: string | null): number {
  if (!token) return 0;
  const m = /^o:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  return m ? Number(m[1]) : -1;
}
