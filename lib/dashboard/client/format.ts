// Pure display helpers shared by server and client components, so both print the same text.

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** "3 min ago", "in 20 s": relative to `now`, coarse enough not to flicker on every poll. */
export function formatRelative(iso: string | null | undefined, now: number): string {
  if (!iso) return '–';
  const diff = Date.parse(iso) - now;
  const abs = Math.abs(diff);
  if (abs < 5_000) return 'just now';
  const text =
    abs < 60_000
      ? `${Math.round(abs / 1000)} s`
      : abs < 3_600_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 172_800_000
          ? `${Math.round(abs / 3_600_000)} h`
          : `${Math.round(abs / 86_400_000)} d`;
  return diff < 0 ? `${text} ago` : `in ${text}`;
}

export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return '–';
  // ISO-like and in UTC, so server and browser render the same characters.
  return iso
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z')
    .replace('Z', ' UTC');
}

export const formatCount = (n: number) => new Intl.NumberFormat('en-US').format(n);

export const shortId = (id: string) => id.slice(0, 8);

export function prettyJson(value: unknown): string {
  if (value === null || value === undefined) return '–';
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}
