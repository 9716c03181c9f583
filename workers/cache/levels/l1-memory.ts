import type { CacheEntry } from "../entry";

/** Bytes of entries one isolate keeps in memory (isolates have 128 MB in all). */
export const MEMORY_TIER_MAX_BYTES = 8 * 1024 * 1024;
/** Entries one isolate keeps in memory. */
export const MEMORY_TIER_MAX_ENTRIES = 2_000;
/** Larger entries are not kept in memory: a few of them would push out hundreds of small ones. */
export const MEMORY_TIER_MAX_ENTRY_BYTES = 256 * 1024;

/** Roughly what an entry takes in isolate memory (JS strings take up to 2 bytes per code unit). */
export function heldBytes(entry: CacheEntry): number {
  const r = entry.result;
  return 2 * (r.stdout.length + r.stderr.length + r.output.length + (r.compile?.stderr.length ?? 0)) + 1024;
}

interface Held {
  entry: CacheEntry;
  bytes: number;
  /** Dropped after this (ms): a copy in memory lives no longer than the L1 copy it stands for. */
  until: number;
}

/**
 * The front of L1: the hottest entries in this isolate's memory, in least-recently-used order, so a
 * hit on a hot program costs no subrequest at all. Keys fold in the invalidation generations, so a
 * held entry can never be a stale answer after an invalidation; expiry is checked on every read.
 */
export class MemoryTier {
  private readonly held = new Map<string, Held>();
  private bytes = 0;

  get size(): number {
    return this.held.size;
  }

  get(lookupKey: string, now: number): CacheEntry | null {
    const held = this.held.get(lookupKey);
    if (!held) return null;
    this.held.delete(lookupKey);
    if (now >= held.until) {
      this.bytes -= held.bytes;
      return null;
    }
    this.held.set(lookupKey, held); // most recently used
    return held.entry;
  }

  put(entry: CacheEntry, ttlSeconds: number, now: number): void {
    const bytes = heldBytes(entry);
    if (bytes > MEMORY_TIER_MAX_ENTRY_BYTES) return;
    this.delete(entry.lookupKey);
    this.held.set(entry.lookupKey, { entry, bytes, until: now + ttlSeconds * 1000 });
    this.bytes += bytes;
    for (const [key, held] of this.held) {
      if (this.bytes <= MEMORY_TIER_MAX_BYTES && this.held.size <= MEMORY_TIER_MAX_ENTRIES) break;
      this.held.delete(key);
      this.bytes -= held.bytes;
    }
  }

  delete(lookupKey: string): void {
    const held = this.held.get(lookupKey);
    if (!held) return;
    this.held.delete(lookupKey);
    this.bytes -= held.bytes;
  }

  clear(): void {
    this.held.clear();
    this.bytes = 0;
  }
}
