import { z } from 'zod';

/** One action's jobs, followed by one toast. */
export interface TrackedGroup {
  id: string;
  title: string;
  jobIds: string[];
  createdAt: number;
}

const KEY = 'steady.tracked-tasks';
// Tracking from a previous day is of no use to anyone; drop it rather than poll for it.
const MAX_AGE_MS = 6 * 60 * 60 * 1000;

const Stored = z.array(
  z.object({
    id: z.string().max(200),
    title: z.string().max(300),
    jobIds: z.array(z.guid()).max(1000),
    createdAt: z.number(),
  }),
);

export function loadGroups(now = Date.now()): TrackedGroup[] {
  try {
    const parsed = Stored.safeParse(JSON.parse(window.sessionStorage.getItem(KEY) ?? '[]'));
    return parsed.success ? parsed.data.filter((g) => now - g.createdAt < MAX_AGE_MS) : [];
  } catch {
    return [];
  }
}

export function saveGroups(groups: readonly TrackedGroup[]): void {
  try {
    window.sessionStorage.setItem(KEY, JSON.stringify(groups));
  } catch {
    // Storage full or disabled (private mode): tracking still works until the tab closes.
  }
}
