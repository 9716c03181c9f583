import { describe, expect, it } from "vitest";
import {
  AFFINITY_MAX_ENTRIES,
  decideAffinity,
  pruneExpired,
  recordAffinity,
  type AffinityDecision,
  type AffinityEntry,
} from "../../workers/routing/affinity";
import type { SessionFailover } from "../../workers/routing/types";

const TTL_MS = 60_000;
const T0 = 1_000_000;

/** isAvailable over a set of down backends. */
const upExcept =
  (...down: string[]) =>
  (id: string) =>
    !down.includes(id);

function pinned(backendId: string, homeBackendId = backendId, expiresAt = T0 + TTL_MS): AffinityEntry {
  return { backendId, homeBackendId, expiresAt };
}

/** One request through the Durable Object's flow: decide, pick when asked, record. */
function serve(
  entry: AffinityEntry | undefined,
  mode: SessionFailover,
  now: number,
  down: string[],
  pick: string,
): { decision: AffinityDecision; entry: AffinityEntry } {
  const decision = decideAffinity({ entry, now, mode, isAvailable: upExcept(...down) });
  const chosenBackendId = decision.kind === "use" ? decision.backendId : pick;
  return { decision, entry: recordAffinity({ entry, decision, chosenBackendId, mode, now, ttlMs: TTL_MS }) };
}

const MODES: SessionFailover[] = ["none", "temporary", "sticky"];

describe("decideAffinity, every mode", () => {
  it.each(MODES)("%s: no entry → choose, and the pick is pinned with a fresh TTL", (mode) => {
    const { decision, entry } = serve(undefined, mode, T0, [], "b");
    expect(decision).toEqual({ kind: "choose" });
    expect(entry).toEqual(pinned("b", "b", T0 + TTL_MS));
  });

  it.each(MODES)("%s: an expired entry → choose, even if its backend is up; expiry is exclusive", (mode) => {
    const entry = pinned("a", "a", T0);
    expect(decideAffinity({ entry, now: T0, mode, isAvailable: upExcept() })).toEqual({ kind: "choose" });
    expect(decideAffinity({ entry, now: T0 - 1, mode, isAvailable: upExcept() })).toEqual({ kind: "use", backendId: "a" });
    // A new choice forgets the old home.
    const stale = pinned("x", "a", T0);
    const rec = recordAffinity({ entry: stale, decision: { kind: "choose" }, chosenBackendId: "c", mode, now: T0, ttlMs: TTL_MS });
    expect(rec).toEqual(pinned("c", "c", T0 + TTL_MS));
  });

  it.each(MODES)("%s: a valid entry with its backend up → use it, and the TTL slides", (mode) => {
    let entry: AffinityEntry = pinned("a");
    for (const now of [T0 + 10_000, T0 + 50_000, T0 + 100_000]) {
      const step = serve(entry, mode, now, [], "unused");
      expect(step.decision).toEqual({ kind: "use", backendId: "a" });
      expect(step.entry).toEqual(pinned("a", "a", now + TTL_MS));
      entry = step.entry;
    }
    // T0 + 100 s is past the original expiry: the session survived only because each use slid it.
    expect(entry.expiresAt).toBeGreaterThan(T0 + TTL_MS);
  });
});

describe("mode none", () => {
  it("rejects while the pinned backend is down and leaves the entry (TTL included) alone", () => {
    const entry = pinned("a");
    const { decision, entry: after } = serve(entry, "none", T0 + 1_000, ["a"], "b");
    expect(decision).toEqual({ kind: "reject", backendId: "a" });
    expect(after).toBe(entry);
    // Once back, the session is still on a.
    expect(serve(after, "none", T0 + 2_000, [], "b").decision).toEqual({ kind: "use", backendId: "a" });
  });

  it("a deleted backend does not trap the session: choose instead of reject", () => {
    const entry = pinned("gone");
    const decide = (exists?: (id: string) => boolean) =>
      decideAffinity({ entry, now: T0, mode: "none", isAvailable: (id) => id !== "gone", exists });
    expect(decide()).toEqual({ kind: "reject", backendId: "gone" });
    expect(decide((id) => id !== "gone")).toEqual({ kind: "choose" });
    // Existing but down is still a reject.
    expect(decide(() => true)).toEqual({ kind: "reject", backendId: "gone" });
  });
});

describe("mode temporary", () => {
  it("falls back while home is down, keeps home, and returns home once it recovers", () => {
    let step = serve(pinned("home"), "temporary", T0 + 1_000, ["home"], "f1");
    expect(step.decision).toEqual({ kind: "fallback", avoid: "home" });
    expect(step.entry).toEqual(pinned("f1", "home", T0 + 1_000 + TTL_MS));

    // Home still down: the session stays on its fallback.
    step = serve(step.entry, "temporary", T0 + 2_000, ["home"], "unused");
    expect(step.decision).toEqual({ kind: "use", backendId: "f1" });
    expect(step.entry).toEqual(pinned("f1", "home", T0 + 2_000 + TTL_MS));

    // Home recovers: straight back, and the entry collapses to home again.
    step = serve(step.entry, "temporary", T0 + 3_000, [], "unused");
    expect(step.decision).toEqual({ kind: "use", backendId: "home" });
    expect(step.entry).toEqual(pinned("home", "home", T0 + 3_000 + TTL_MS));
  });

  it("falls back again when the fallback fails while home is still down", () => {
    const step = serve(pinned("f1", "home"), "temporary", T0, ["home", "f1"], "f2");
    expect(step.decision).toEqual({ kind: "fallback", avoid: "f1" });
    expect(step.entry).toEqual(pinned("f2", "home", T0 + TTL_MS));
  });

  it("prefers a recovered home over a healthy fallback", () => {
    expect(decideAffinity({ entry: pinned("f1", "home"), now: T0, mode: "temporary", isAvailable: upExcept() })).toEqual({
      kind: "use",
      backendId: "home",
    });
  });

  it("a deleted home keeps the session on its fallback (never comes back, never blocks)", () => {
    const exists = (id: string) => id !== "home";
    const isAvailable = (id: string) => exists(id);
    expect(decideAffinity({ entry: pinned("f1", "home"), now: T0, mode: "temporary", isAvailable, exists })).toEqual({
      kind: "use",
      backendId: "f1",
    });
    expect(decideAffinity({ entry: pinned("home"), now: T0, mode: "temporary", isAvailable, exists })).toEqual({
      kind: "fallback",
      avoid: "home",
    });
  });
});

describe("mode sticky", () => {
  it("moves the session to the fallback for good", () => {
    let step = serve(pinned("home"), "sticky", T0, ["home"], "f1");
    expect(step.decision).toEqual({ kind: "fallback", avoid: "home" });
    expect(step.entry).toEqual(pinned("f1", "f1", T0 + TTL_MS));
    // Home recovering changes nothing.
    step = serve(step.entry, "sticky", T0 + 1_000, [], "unused");
    expect(step.decision).toEqual({ kind: "use", backendId: "f1" });
    expect(step.entry).toEqual(pinned("f1", "f1", T0 + 1_000 + TTL_MS));
  });

  it("moves again when the new backend fails, and a deleted backend is just unavailable", () => {
    const step = serve(pinned("f1"), "sticky", T0, ["f1"], "f2");
    expect(step.decision).toEqual({ kind: "fallback", avoid: "f1" });
    expect(step.entry).toEqual(pinned("f2", "f2", T0 + TTL_MS));
    const exists = (id: string) => id !== "f1";
    expect(decideAffinity({ entry: pinned("f1"), now: T0, mode: "sticky", isAvailable: exists, exists })).toEqual({
      kind: "fallback",
      avoid: "f1",
    });
  });

  it("an entry left from temporary mode stays where it is now", () => {
    const entry = pinned("f1", "home");
    expect(decideAffinity({ entry, now: T0, mode: "sticky", isAvailable: upExcept() })).toEqual({ kind: "use", backendId: "f1" });
    const rec = recordAffinity({ entry, decision: { kind: "use", backendId: "f1" }, chosenBackendId: "f1", mode: "sticky", now: T0, ttlMs: TTL_MS });
    expect(rec).toEqual(pinned("f1", "f1", T0 + TTL_MS));
  });
});

describe("recordAffinity records what actually served", () => {
  it("temporary: a 'use home' that ended up elsewhere is a temporary fallback", () => {
    const rec = recordAffinity({
      entry: pinned("home"),
      decision: { kind: "use", backendId: "home" },
      chosenBackendId: "other",
      mode: "temporary",
      now: T0,
      ttlMs: TTL_MS,
    });
    expect(rec).toEqual(pinned("other", "home", T0 + TTL_MS));
  });
});

describe("pruneExpired", () => {
  const map = (entries: Array<[string, number]>) => new Map(entries.map(([k, exp]) => [k, pinned("b", "b", exp)]));

  it("drops expired entries (expiresAt ≤ now) without touching the input", () => {
    const input = map([["s1", T0 - 1], ["s2", T0], ["s3", T0 + 1]]);
    const { entries, removed } = pruneExpired(input, T0, 10);
    expect([...entries.keys()]).toEqual(["s3"]);
    expect(removed.sort()).toEqual(["s1", "s2"]);
    expect(input.size).toBe(3);
  });

  it("above the cap drops the soonest-expiring (least recently used) entries", () => {
    const input = map([["a", T0 + 5], ["b", T0 + 1], ["c", T0 + 9], ["d", T0 + 3], ["old", T0 - 1]]);
    const { entries, removed } = pruneExpired(input, T0, 2);
    expect(new Set(entries.keys())).toEqual(new Set(["c", "a"]));
    expect(removed.sort()).toEqual(["b", "d", "old"]);
    expect(pruneExpired(input, T0, 0).entries.size).toBe(0);
  });

  it("has a sensible default cap", () => {
    expect(AFFINITY_MAX_ENTRIES).toBeGreaterThanOrEqual(1_000);
  });
});
