import { describe, expect, it } from "vitest";
import { CACHE_DEFAULTS, KV_MIN_TTL_SECONDS, MAX_L3_TTL_SECONDS, MAX_WARM_TOP_N, readCacheConfig } from "../../workers/cache/config";
import {
  DETERMINISTIC_STATUSES,
  entryExpiresAt,
  fitsLevel,
  freshness,
  KV_REWRITE_INTERVAL_MS,
  kvWriteAllowed,
  L1_MAX_ENTRY_BYTES,
  L2_MAX_ENTRY_BYTES,
  L3_MAX_ROW_BYTES,
  levelTtlSeconds,
  resultBypassReason,
} from "../../workers/cache/policy";
import { cacheModeFromHeaders } from "../../workers/cache/http";
import type { ExecutionStatus } from "../../workers/sandbox/types";
import { okResult } from "./helpers";

describe("what may be cached", () => {
  const statuses: Array<[ExecutionStatus, string | null]> = [
    ["ok", null],
    ["runtime_error", null],
    ["compile_error", null],
    ["cpu_time_exceeded", null],
    ["memory_limit_exceeded", null],
    ["stdout_limit_exceeded", null],
    ["stderr_limit_exceeded", null],
    ["wall_time_exceeded", "wall_time_exceeded"],
    ["internal_error", "internal_error"],
  ];
  it.each(statuses)("status %s → bypass %s", (status, reason) => {
    expect(resultBypassReason(okResult("", { status }))).toBe(reason);
    expect(DETERMINISTIC_STATUSES.has(status)).toBe(reason === null);
  });

  it("never caches a run that observed nondeterminism, whatever its status", () => {
    for (const [status] of statuses) {
      const reason = resultBypassReason(okResult("", { status, nondeterministic: true }));
      expect(reason).toBe(status === "internal_error" ? "internal_error" : "nondeterministic");
    }
  });

  it("caches remote backends' results only when someone opted in", () => {
    expect(resultBypassReason(okResult("x"), { kind: "remote", optedIn: false })).toBe("remote_backend");
    expect(resultBypassReason(okResult("x"), { kind: "remote", optedIn: true })).toBeNull();
  });
});

describe("level limits", () => {
  it("skips a level an entry does not fit, at the exact boundary", () => {
    expect(fitsLevel("l1", { entryBytes: L1_MAX_ENTRY_BYTES, l3RowBytes: 0 })).toBe(true);
    expect(fitsLevel("l1", { entryBytes: L1_MAX_ENTRY_BYTES + 1, l3RowBytes: 0 })).toBe(false);
    expect(fitsLevel("l2", { entryBytes: L2_MAX_ENTRY_BYTES, l3RowBytes: 0 })).toBe(true);
    expect(fitsLevel("l2", { entryBytes: L2_MAX_ENTRY_BYTES + 1, l3RowBytes: 0 })).toBe(false);
    expect(fitsLevel("l3", { entryBytes: 0, l3RowBytes: L3_MAX_ROW_BYTES })).toBe(true);
    expect(fitsLevel("l3", { entryBytes: 0, l3RowBytes: L3_MAX_ROW_BYTES + 1 })).toBe(false);
    // D1's row limit is 2,000,000 bytes; the margin leaves room for the other columns.
    expect(L3_MAX_ROW_BYTES).toBeLessThan(2_000_000);
    expect(L2_MAX_ENTRY_BYTES).toBeLessThanOrEqual(25 * 1024 * 1024);
  });

  it("keeps each copy no longer than the level's TTL or the entry's remaining life (+ SWR)", () => {
    const config = { ...CACHE_DEFAULTS, l1TtlSeconds: 300, l2TtlSeconds: 3600 };
    const now = 1_000_000;
    const farFuture = now + 10 * 86_400_000;
    expect(levelTtlSeconds("l1", config, farFuture, 0, now)).toBe(300);
    expect(levelTtlSeconds("l2", config, farFuture, 0, now)).toBe(3600);
    expect(levelTtlSeconds("l1", config, now + 100_000, 0, now)).toBe(100);
    expect(levelTtlSeconds("l2", config, now + 100_000, 0, now)).toBe(100);
    expect(levelTtlSeconds("l2", config, now + 100_000, 50_000, now)).toBe(150);
  });

  it("never asks KV for less than its 60 s minimum expiry: such an entry skips L2", () => {
    const config = { ...CACHE_DEFAULTS };
    const now = 5_000;
    expect(levelTtlSeconds("l2", config, now + KV_MIN_TTL_SECONDS * 1000, 0, now)).toBe(KV_MIN_TTL_SECONDS);
    expect(levelTtlSeconds("l2", config, now + KV_MIN_TTL_SECONDS * 1000 - 1, 0, now)).toBeNull();
    expect(levelTtlSeconds("l1", config, now + 1500, 0, now)).toBe(1);
    expect(levelTtlSeconds("l1", config, now + 999, 0, now)).toBeNull();
    expect(levelTtlSeconds("l1", config, now - 1, 0, now)).toBeNull();
  });

  it("writes a KV key at most once per interval per isolate", () => {
    expect(kvWriteAllowed(undefined, 0)).toBe(true);
    expect(kvWriteAllowed(1_000, 1_000 + KV_REWRITE_INTERVAL_MS - 1)).toBe(false);
    expect(kvWriteAllowed(1_000, 1_000 + KV_REWRITE_INTERVAL_MS)).toBe(true);
    expect(KV_REWRITE_INTERVAL_MS).toBeGreaterThanOrEqual(1_000);
  });
});

describe("freshness and stale-while-revalidate", () => {
  it("is fresh before expiry, stale within the SWR window, then expired", () => {
    expect(freshness(1000, 999, 0)).toBe("fresh");
    expect(freshness(1000, 1000, 0)).toBe("expired");
    expect(freshness(1000, 1000, 500)).toBe("stale");
    expect(freshness(1000, 1499, 500)).toBe("stale");
    expect(freshness(1000, 1500, 500)).toBe("expired");
  });

  it("gives an entry the L3 TTL as its lifetime", () => {
    expect(entryExpiresAt(10, { ...CACHE_DEFAULTS, l3TtlSeconds: 60 })).toBe(60_010);
  });
});

describe("configuration", () => {
  it("reads the vars, with defaults for missing or malformed values", () => {
    expect(readCacheConfig({})).toEqual(CACHE_DEFAULTS);
    expect(readCacheConfig({ CACHE_L1_TTL_SECONDS: "abc", CACHE_L2_TTL_SECONDS: "-5", CACHE_WARM_TOP_N: "1.5" })).toEqual(CACHE_DEFAULTS);
    expect(readCacheConfig({ CACHE_L1_TTL_SECONDS: "10", CACHE_L2_TTL_SECONDS: "120", CACHE_L3_TTL_SECONDS: "3600", CACHE_WARM_TOP_N: "7" })).toEqual({
      l1TtlSeconds: 10,
      l2TtlSeconds: 120,
      l3TtlSeconds: 3600,
      warmTopN: 7,
    });
  });

  it("keeps upper levels within the entry lifetime and every value within its bounds", () => {
    const config = readCacheConfig({ CACHE_L1_TTL_SECONDS: "900", CACHE_L2_TTL_SECONDS: "900", CACHE_L3_TTL_SECONDS: "600" });
    expect(config.l1TtlSeconds).toBe(600);
    expect(config.l2TtlSeconds).toBe(600);
    expect(readCacheConfig({ CACHE_L2_TTL_SECONDS: "30" }).l2TtlSeconds).toBe(CACHE_DEFAULTS.l2TtlSeconds);
    expect(readCacheConfig({ CACHE_L3_TTL_SECONDS: String(10 * MAX_L3_TTL_SECONDS) }).l3TtlSeconds).toBe(MAX_L3_TTL_SECONDS);
    expect(readCacheConfig({ CACHE_WARM_TOP_N: "100000" }).warmTopN).toBe(MAX_WARM_TOP_N);
  });

  it("the wrangler.toml defaults are what the code assumes", async () => {
    const { env } = await import("../helpers/bindings");
    expect(readCacheConfig(env)).toEqual(CACHE_DEFAULTS);
  });
});

describe("cache control from the request", () => {
  it.each([
    ["no-cache", "bypass"],
    ["no-store", "bypass"],
    ["max-age=0, No-Store", "bypass"],
    ["max-age=60", "default"],
    ["", "default"],
  ])("Cache-Control: %s → %s", (value, mode) => {
    expect(cacheModeFromHeaders(new Headers(value ? { "cache-control": value } : {}))).toBe(mode);
  });
});
