import 'server-only';
import { z } from 'zod';

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for YYYY-MM-DD naming a day that exists (so 2026-02-30 is refused, not rolled over). */
export function isCalendarDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

export const IsoDateSchema = z
  .string()
  .regex(ISO_DATE, 'must be a date as YYYY-MM-DD')
  .refine(isCalendarDate, 'is not a real calendar date')
  .refine((v) => v >= '2000-01-01' && v <= '2100-12-31', 'must be between 2000-01-01 and 2100-12-31');

export const toIsoDate = (d: Date): string => d.toISOString().slice(0, 10);

export const todayUtc = (now: Date): string => toIsoDate(now);

export function addDays(date: string, days: number): string {
  return toIsoDate(new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS));
}

/** Whole days from `from` to `to` (0 when equal, negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** The UTC day as a half-open window [start, end). */
export function dayWindow(date: string): { start: Date; end: Date } {
  const start = new Date(`${date}T00:00:00Z`);
  return { start, end: new Date(start.getTime() + DAY_MS) };
}
