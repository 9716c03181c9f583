import { parseEntry, type CacheEntry } from "../entry";

/**
 * L1: the Cache API of the colo that runs the Worker. Fast and local, but per colo and a no-op on
 * workers.dev, so nothing depends on it: a miss here just falls through to KV.
 */
export class CacheApiLevel {
  /** Cache API keys are URLs; this host is never fetched, it only names the entries. */
  static readonly BASE_URL = "https://result-cache.edgebox.internal/v1/";

  constructor(private readonly cache: Cache) {}

  /** caches.default when the runtime has it (workerd always does), else null. */
  static fromRuntime(): CacheApiLevel | null {
    const storage = (globalThis as { caches?: CacheStorage & { default?: Cache } }).caches;
    return storage?.default ? new CacheApiLevel(storage.default) : null;
  }

  async get(lookupKey: string): Promise<CacheEntry | null> {
    const response = await this.cache.match(CacheApiLevel.BASE_URL + lookupKey);
    return response ? parseEntry(await response.text(), lookupKey) : null;
  }

  async put(lookupKey: string, serialized: string, ttlSeconds: number): Promise<void> {
    await this.cache.put(
      CacheApiLevel.BASE_URL + lookupKey,
      new Response(serialized, {
        headers: { "content-type": "application/json", "cache-control": `public, max-age=${ttlSeconds}` },
      }),
    );
  }
}
