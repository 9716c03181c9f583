import { describe, expect, it } from "vitest";
import { heldBytes, MEMORY_TIER_MAX_BYTES, MEMORY_TIER_MAX_ENTRIES, MEMORY_TIER_MAX_ENTRY_BYTES, MemoryTier } from "../../workers/cache/levels/l1-memory";
import type { CacheEntry } from "../../workers/cache/entry";
import { okResult } from "./helpers";

function entry(key: string, stdout = "x"): CacheEntry {
  return { v: 1, lookupKey: key, programKey: "p", namespace: "acme", tags: [], createdAt: 0, expiresAt: 1e15, result: okResult(stdout) };
}

describe("L1's isolate-memory tier", () => {
  it("holds an entry for the L1 TTL, no longer", () => {
    const tier = new MemoryTier();
    tier.put(entry("a"), 10, 1_000);
    expect(tier.get("a", 10_999)?.lookupKey).toBe("a");
    expect(tier.get("a", 11_000)).toBeNull();
    expect(tier.size).toBe(0);
  });

  it("drops the least recently used entries past its entry bound", () => {
    const tier = new MemoryTier();
    for (let i = 0; i < MEMORY_TIER_MAX_ENTRIES; i++) tier.put(entry(`k${i}`), 60, 0);
    expect(tier.get("k0", 1)).not.toBeNull(); // k0 is now the most recently used
    tier.put(entry("new"), 60, 0);
    expect(tier.size).toBe(MEMORY_TIER_MAX_ENTRIES);
    expect(tier.get("k1", 1)).toBeNull();
    expect(tier.get("k0", 1)).not.toBeNull();
    expect(tier.get("new", 1)).not.toBeNull();
  });

  it("stays within its byte bound and never holds a very large entry", () => {
    const tier = new MemoryTier();
    const big = "y".repeat(Math.floor(MEMORY_TIER_MAX_ENTRY_BYTES / 4) - 1024); // stdout and output both hold it
    const perEntry = heldBytes(entry("probe", big));
    expect(perEntry).toBeLessThanOrEqual(MEMORY_TIER_MAX_ENTRY_BYTES);
    const fit = Math.floor(MEMORY_TIER_MAX_BYTES / perEntry);
    for (let i = 0; i < fit + 5; i++) tier.put(entry(`b${i}`, big), 60, 0);
    expect(tier.size).toBe(fit);
    expect(tier.get("b0", 1)).toBeNull();
    tier.put(entry("huge", "z".repeat(MEMORY_TIER_MAX_ENTRY_BYTES)), 60, 0);
    expect(tier.get("huge", 1)).toBeNull();
  });

  it("replaces an entry put again under the same key", () => {
    const tier = new MemoryTier();
    tier.put(entry("a", "old"), 60, 0);
    tier.put(entry("a", "new"), 60, 0);
    expect(tier.size).toBe(1);
    expect(tier.get("a", 1)?.result.stdout).toBe("new");
  });
});
