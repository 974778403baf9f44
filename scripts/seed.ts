/** Demo data for `npm run dev`: idempotent, so every start can call it. (Filled in by the sync workload.) */
export async function seedDemoData(_url: string, _opts: { log?: (l: string) => void } = {}): Promise<void> {}
