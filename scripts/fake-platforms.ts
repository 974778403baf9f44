/** Local stand-ins for the GitHub, YouTube, Twitter/X and Instagram APIs. (Filled in by the sync workload.) */
export interface FakePlatforms {
  url: string;
  /** Env var name → base URL, e.g. GITHUB_API_URL → http://127.0.0.1:4010/github */
  baseUrls: Record<string, string>;
  close(): Promise<void>;
}

export async function startFakePlatforms(_opts: { port?: number } = {}): Promise<FakePlatforms | null> {
  return null;
}
