import { parseEntry, type CacheEntry } from "../entry";

/** KV key prefix of result-cache entries (docs/storage-schema.md). */
export const KV_RESULT_PREFIX = "result:";

/** Metadata stored with each KV entry: when KV drops it (ms), so the cron can re-put it in time. */
export interface KvEntryMetadata {
  until: number;
}

/**
 * L2: Workers KV. Global and eventually consistent (a write shows everywhere within ~60 s), which is
 * safe here because a key's content never changes: an invalidation changes the key instead.
 */
export class KvLevel {
  constructor(private readonly kv: KVNamespace) {}

  async get(lookupKey: string): Promise<CacheEntry | null> {
    const text = await this.kv.get(KV_RESULT_PREFIX + lookupKey, "text");
    return text === null ? null : parseEntry(text, lookupKey);
  }

  /** When KV will drop the entry (ms), or null when it has none. */
  async expiry(lookupKey: string): Promise<number | null> {
    const { value, metadata } = await this.kv.getWithMetadata<KvEntryMetadata>(KV_RESULT_PREFIX + lookupKey, "text");
    if (value === null) return null;
    return typeof metadata?.until === "number" ? metadata.until : 0;
  }

  async put(lookupKey: string, serialized: string, ttlSeconds: number, now: number): Promise<void> {
    const metadata: KvEntryMetadata = { until: now + ttlSeconds * 1000 };
    await this.kv.put(KV_RESULT_PREFIX + lookupKey, serialized, { expirationTtl: ttlSeconds, metadata });
  }
}
