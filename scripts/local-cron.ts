/** Calls the routes in vercel.json on their schedules, with the bearer. (Filled in by the sync workload.) */
export function startLocalCron(_opts: { baseUrl: string; secret: string; log: (l: string) => void }) {
  return { stop() {} };
}
