import { describe, expect, it } from "vitest";
import { seededRandom as seeded } from "../helpers/seeded-random";
import { fmix32, fnv1a32, hash32 } from "../../workers/routing/hash";
import {
  buildHashRing,
  initialPolicyState,
  pickConsistentHash,
  pickLeastConnections,
  pickMember,
  pickPowerOfTwo,
  pickRandom,
  pickRoundRobin,
  pickSmoothWeighted,
  MAX_RING_POINTS,
  roomCheckFor,
  type PolicyState,
} from "../../workers/routing/policies";
import { LB_POLICIES, type PoolMember, type Random } from "../../workers/routing/types";


const int = (random: Random, low: number, high: number) => low + Math.floor(random() * (high - low + 1));

function member(id: string, weight = 1, inFlight = 0, limit = 10): PoolMember {
  return { id, weight, limit, inFlight };
}

/** 1–8 members with integer weights 0–5, limits 1–5 and any load up to saturation. */
function randomMembers(random: Random): PoolMember[] {
  return Array.from({ length: int(random, 1, 8) }, (_, i) => {
    const limit = int(random, 1, 5);
    return { id: `m${i}`, weight: random() < 0.15 ? 0 : int(random, 1, 5), limit, inFlight: int(random, 0, limit) };
  });
}

const eligible = (m: PoolMember) => m.weight > 0 && m.inFlight < m.limit;
const load = (m: PoolMember) => (m.inFlight + 1) / m.weight;

function counts(ids: Iterable<string>): Map<string, number> {
  const tally = new Map<string, number>();
  for (const id of ids) tally.set(id, (tally.get(id) ?? 0) + 1);
  return tally;
}

/** Runs each of pickMember's policies (and both consistent_hash modes) once on members. */
function pickEveryWay(members: PoolMember[], random: Random): Array<string | undefined> {
  const state = initialPolicyState();
  return [
    ...LB_POLICIES.map((policy) => pickMember(policy, members, state, { random })?.memberId),
    pickMember("consistent_hash", members, state, { key: `k${random()}`, random })?.memberId,
    pickPowerOfTwo(members, random),
  ];
}

describe("hash32", () => {
  it("is FNV-1a followed by murmur3's fmix32", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
    // Pinned: rings place keys by this value, so changing it would remap every session.
    expect(hash32("foobar")).toBe(0x0c0da6dc);
    expect(hash32("b1#0")).toBe(0x977003a9);
  });

  it("returns unsigned 32-bit integers", () => {
    for (const text of ["", "a", "é", "😀", "x".repeat(1000)]) {
      const h = hash32(text);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    }
  });

  it("spreads near-identical keys evenly over the circle", () => {
    const BUCKETS = 16;
    const KEYS = 16_000;
    const tally = new Array(BUCKETS).fill(0);
    for (let i = 0; i < KEYS; i++) tally[Math.floor(hash32(`b1#${i}`) / 2 ** 28)]++;
    for (const n of tally) expect(Math.abs(n - KEYS / BUCKETS)).toBeLessThan(0.1 * (KEYS / BUCKETS));
  });

  it("flips about half the output bits when one input bit changes", () => {
    let flipped = 0;
    const SAMPLES = 2000;
    for (let i = 0; i < SAMPLES; i++) {
      let diff = hash32(`key-${i}a`) ^ hash32(`key-${i}c`);
      while (diff) {
        flipped += diff & 1;
        diff >>>= 1;
      }
    }
    expect(flipped / SAMPLES).toBeGreaterThan(15);
    expect(flipped / SAMPLES).toBeLessThan(17);
  });
});

describe("every policy", () => {
  it("returns undefined when nobody has room or everyone is at weight 0", () => {
    const random = seeded(1);
    for (let round = 0; round < 200; round++) {
      const saturated = randomMembers(random).map((m) => ({ ...m, inFlight: m.limit + int(random, 0, 2) }));
      const drained = randomMembers(random).map((m) => ({ ...m, weight: 0 }));
      for (const members of [saturated, drained, []]) {
        expect(pickEveryWay(members, random)).toEqual(pickEveryWay(members, random).map(() => undefined));
        expect(pickRoundRobin(members, int(random, 0, 10))).toBeUndefined();
        expect(pickSmoothWeighted(members, {})).toBeUndefined();
        expect(pickRandom(members, random)).toBeUndefined();
        expect(pickLeastConnections(members, random)).toBeUndefined();
      }
    }
  });

  it("never picks a saturated or zero-weight member, and always picks when someone may take it", () => {
    const random = seeded(2);
    for (let round = 0; round < 1000; round++) {
      const members = randomMembers(random);
      const anyone = members.some(eligible);
      for (const id of pickEveryWay(members, random)) {
        if (!anyone) expect(id).toBeUndefined();
        else expect(eligible(members.find((m) => m.id === id)!)).toBe(true);
      }
    }
  });

  it("treats NaN counts and weights as unusable", () => {
    const random = seeded(3);
    const members = [
      { id: "nan-weight", weight: Number.NaN, limit: 5, inFlight: 0 },
      { id: "inf-weight", weight: Infinity, limit: 5, inFlight: 0 },
      { id: "nan-limit", weight: 1, limit: Number.NaN, inFlight: 0 },
      { id: "nan-load", weight: 1, limit: 5, inFlight: Number.NaN },
    ];
    expect(pickEveryWay(members, random).every((id) => id === undefined)).toBe(true);
  });
});

describe("round robin", () => {
  it("visits each member equally when all have room (property)", () => {
    const random = seeded(10);
    for (let round = 0; round < 100; round++) {
      const members = Array.from({ length: int(random, 1, 8) }, (_, i) => member(`m${i}`, int(random, 1, 5)));
      const laps = int(random, 1, 5);
      let cursor = int(random, -20, 20);
      const picked: string[] = [];
      for (let i = 0; i < laps * members.length; i++) {
        const pick = pickRoundRobin(members, cursor)!;
        picked.push(pick.memberId);
        cursor = pick.cursor;
      }
      for (const m of members) expect(counts(picked).get(m.id)).toBe(laps);
    }
  });

  it("goes in order and skips members without room or weight", () => {
    const members = [member("a"), member("b", 1, 10, 10), member("c", 0), member("d")];
    const first = pickRoundRobin(members, 0)!;
    const second = pickRoundRobin(members, first.cursor)!;
    const third = pickRoundRobin(members, second.cursor)!;
    expect([first.memberId, second.memberId, third.memberId]).toEqual(["a", "d", "a"]);
    expect(first.cursor).toBe(1);
    expect(second.cursor).toBe(0);
  });

  it("accepts any cursor", () => {
    const members = [member("a"), member("b"), member("c")];
    expect(pickRoundRobin(members, 4)?.memberId).toBe("b");
    expect(pickRoundRobin(members, -1)?.memberId).toBe("c");
    expect(pickRoundRobin(members, 1.7)?.memberId).toBe("b");
    expect(pickRoundRobin(members, Number.NaN)?.memberId).toBe("a");
    expect(pickRoundRobin(members, Number.MAX_SAFE_INTEGER)?.cursor).toBeLessThan(3);
  });
});

describe("smooth weighted round robin", () => {
  function run(members: PoolMember[], rounds: number, start: Record<string, number> = {}) {
    let weights = start;
    const picked: string[] = [];
    for (let i = 0; i < rounds; i++) {
      const pick = pickSmoothWeighted(members, weights)!;
      picked.push(pick.memberId);
      weights = pick.currentWeights;
    }
    return { picked, weights };
  }

  it("interleaves like nginx: 5,1,1 gives a a b a c a a", () => {
    expect(run([member("a", 5), member("b", 1), member("c", 1)], 7).picked.join(" ")).toBe("a a b a c a a");
  });

  it("picks each member exactly weight times per period of Σw when nobody saturates (property)", () => {
    const random = seeded(20);
    for (let round = 0; round < 200; round++) {
      const members = Array.from({ length: int(random, 1, 7) }, (_, i) => member(`m${i}`, int(random, 1, 9)));
      const period = members.reduce((sum, m) => sum + m.weight, 0);
      let weights: Record<string, number> = {};
      for (let lap = 0; lap < 3; lap++) {
        const result = run(members, period, weights);
        weights = result.weights;
        const tally = counts(result.picked);
        for (const m of members) expect(tally.get(m.id)).toBe(m.weight);
      }
      // A full period brings the state back to where it started.
      for (const m of members) expect(weights[m.id]).toBeCloseTo(0, 9);
    }
  });

  it("converges to w/Σw for fractional weights (property)", () => {
    const random = seeded(21);
    const ROUNDS = 2000;
    for (let round = 0; round < 50; round++) {
      const members = Array.from({ length: int(random, 2, 6) }, (_, i) => member(`m${i}`, 0.05 + random() * 3));
      const total = members.reduce((sum, m) => sum + m.weight, 0);
      const tally = counts(run(members, ROUNDS).picked);
      for (const m of members) expect(Math.abs((tally.get(m.id) ?? 0) / ROUNDS - m.weight / total)).toBeLessThan(0.005);
    }
  });

  it("leaves saturated members out of the round but remembers them, and drops stale ids", () => {
    const members = [member("a", 3), member("b", 1, 10, 10), member("c", 0)];
    const pick = pickSmoothWeighted(members, { a: 1, b: 2, c: 7, gone: 5 })!;
    expect(pick.memberId).toBe("a");
    // a: 1 + 3 - 3 (the round's total is a's weight alone); b untouched; c (weight 0) and gone dropped.
    expect(pick.currentWeights).toEqual({ a: 1, b: 2 });
  });

  it("restarts a member whose stored weight is garbage and does not modify its input", () => {
    const input = { a: Number.NaN, b: 0 };
    const pick = pickSmoothWeighted([member("a", 2), member("b", 1)], input)!;
    expect(pick.memberId).toBe("a");
    expect(pick.currentWeights).toEqual({ a: -1, b: 1 });
    expect(input).toEqual({ a: Number.NaN, b: 0 });
  });
});

describe("least connections", () => {
  it("always picks a member with minimal (inFlight+1)/weight (property)", () => {
    const random = seeded(30);
    for (let round = 0; round < 2000; round++) {
      const members = randomMembers(random);
      const id = pickLeastConnections(members, random);
      const candidates = members.filter(eligible);
      if (candidates.length === 0) {
        expect(id).toBeUndefined();
        continue;
      }
      const chosen = members.find((m) => m.id === id)!;
      expect(eligible(chosen)).toBe(true);
      expect(load(chosen)).toBeCloseTo(Math.min(...candidates.map(load)), 12);
    }
  });

  it("prefers the heavier member at equal counts", () => {
    expect(pickLeastConnections([member("a", 1, 1), member("b", 3, 3)], seeded(0))).toBe("b");
    expect(pickLeastConnections([member("a", 1, 0), member("b", 3, 3)], seeded(0))).toBe("a");
  });

  it("breaks ties uniformly at random", () => {
    const random = seeded(31);
    const members = [member("a", 1, 2), member("b", 2, 5), member("c", 3, 8), member("d", 1, 0, 0), member("e", 1, 5)];
    const TRIES = 6000;
    const tally = counts(Array.from({ length: TRIES }, () => pickLeastConnections(members, random)!));
    expect([...tally.keys()].sort()).toEqual(["a", "b", "c"]);
    for (const n of tally.values()) expect(Math.abs(n / TRIES - 1 / 3)).toBeLessThan(0.03);
  });
});

describe("power of two choices", () => {
  it("never picks a member without room, nor the single most loaded of several (property)", () => {
    const random = seeded(40);
    for (let round = 0; round < 2000; round++) {
      const members = randomMembers(random);
      const candidates = members.filter(eligible);
      const id = pickPowerOfTwo(members, random);
      if (candidates.length === 0) {
        expect(id).toBeUndefined();
        continue;
      }
      const chosen = members.find((m) => m.id === id)!;
      expect(eligible(chosen)).toBe(true);
      const loads = candidates.map(load).sort((x, y) => x - y);
      if (loads.length >= 2 && loads[loads.length - 1] > loads[loads.length - 2]) {
        expect(load(chosen)).toBeLessThan(loads[loads.length - 1]);
      }
    }
  });

  it("follows weights when loads are equal", () => {
    const random = seeded(41);
    const members = [member("a", 1, 0), member("b", 2, 1), member("c", 5, 4)];
    const TRIES = 20_000;
    const tally = counts(Array.from({ length: TRIES }, () => pickPowerOfTwo(members, random)!));
    expect(Math.abs(tally.get("a")! / TRIES - 1 / 8)).toBeLessThan(0.015);
    expect(Math.abs(tally.get("c")! / TRIES - 5 / 8)).toBeLessThan(0.015);
  });

  it("returns a lone eligible member", () => {
    expect(pickPowerOfTwo([member("a", 1, 10, 10), member("b", 1, 9, 10), member("c", 0)], seeded(0))).toBe("b");
  });
});

describe("random", () => {
  it("converges to weight shares among members with room (property)", () => {
    const random = seeded(50);
    const TRIES = 20_000;
    for (let round = 0; round < 20; round++) {
      const members = randomMembers(random);
      const candidates = members.filter(eligible);
      const total = candidates.reduce((sum, m) => sum + m.weight, 0);
      const tally = counts(Array.from({ length: TRIES }, () => pickRandom(members, random) ?? "none"));
      if (candidates.length === 0) {
        expect(tally.get("none")).toBe(TRIES);
        continue;
      }
      for (const m of members) {
        const share = (tally.get(m.id) ?? 0) / TRIES;
        expect(Math.abs(share - (eligible(m) ? m.weight / total : 0))).toBeLessThan(0.015);
      }
    }
  });

  it("stays in range for a Random that returns its extremes", () => {
    const members = [member("a", 1), member("b", 2)];
    expect(pickRandom(members, () => 0)).toBe("a");
    expect(pickRandom(members, () => 0.9999999999999999)).toBe("b");
    expect(pickRandom(members, () => 1)).toBe("b");
  });
});

describe("consistent hash", () => {
  const KEYS = Array.from({ length: 10_000 }, (_, i) => `session-${i}`);
  const always = () => true;
  const owners = (ring: ReturnType<typeof buildHashRing>) => KEYS.map((key) => pickConsistentHash(ring, key, always));

  it("builds a frozen, sorted ring with weight-proportional points, independent of input order", () => {
    const ring = buildHashRing([member("b", 2), member("a", 1), member("z", 0)], 10);
    expect(Object.isFrozen(ring) && Object.isFrozen(ring.points) && Object.isFrozen(ring.owners)).toBe(true);
    expect(ring.memberIds).toEqual(["a", "b"]);
    expect(counts(ring.owners)).toEqual(new Map([["a", 10], ["b", 20]]));
    for (let i = 1; i < ring.points.length; i++) expect(ring.points[i - 1]).toBeLessThanOrEqual(ring.points[i]);
    const reversed = buildHashRing([member("a", 1), member("z", 0), member("b", 2)], 10);
    expect(reversed.points).toEqual(ring.points);
    expect(reversed.owners).toEqual(ring.owners);
  });

  it("memoises by member set, ignoring load", () => {
    const first = buildHashRing([member("a"), member("b", 2)]);
    expect(buildHashRing([{ id: "b", weight: 2 }, member("a", 1, 9, 10)])).toBe(first);
    expect(buildHashRing([member("a"), member("b", 3)])).not.toBe(first);
    expect(buildHashRing([member("a"), member("b", 2)], 50)).not.toBe(first);
  });

  it("scales every member down alike when the ring would pass MAX_RING_POINTS", () => {
    const ring = buildHashRing([member("a", 1000), member("b", 3000)]);
    expect(ring.points.length).toBeLessThanOrEqual(MAX_RING_POINTS);
    const tally = counts(ring.owners);
    expect(tally.get("b")! / tally.get("a")!).toBeCloseTo(3, 2);
  });

  it("rejects a nonsensical virtual node count", () => {
    expect(() => buildHashRing([member("a")], 0)).toThrow(RangeError);
    expect(() => buildHashRing([member("a")], Number.NaN)).toThrow(RangeError);
  });

  it("maps a key to the same member every time", () => {
    const ring = buildHashRing([member("a"), member("b"), member("c")]);
    for (const key of KEYS.slice(0, 100)) {
      expect(pickConsistentHash(ring, key, always)).toBe(pickConsistentHash(ring, key, always));
    }
  });

  it("shares keys by weight", () => {
    const tally = counts(owners(buildHashRing([member("a", 1), member("b", 2), member("c", 1)])) as string[]);
    expect(Math.abs(tally.get("b")! / KEYS.length - 0.5)).toBeLessThan(0.08);
    expect(Math.abs(tally.get("a")! / KEYS.length - 0.25)).toBeLessThan(0.08);
  });

  it("moves only about 1/(n+1) of keys, all to the new member, when one is added (property)", () => {
    const random = seeded(60);
    for (let round = 0; round < 12; round++) {
      const n = int(random, 2, 10);
      const before = Array.from({ length: n }, (_, i) => member(`backend-${round}-${i}`));
      const added = member(`backend-${round}-new`);
      const old = owners(buildHashRing(before));
      const now = owners(buildHashRing([...before, added]));
      let moved = 0;
      for (let i = 0; i < KEYS.length; i++) {
        if (old[i] === now[i]) continue;
        moved++;
        expect(now[i]).toBe(added.id);
      }
      expect(moved / KEYS.length).toBeLessThan(1.5 / (n + 1));
      expect(moved).toBeGreaterThan(0);
    }
  });

  it("moves only the removed member's keys when one leaves", () => {
    const members = [member("a"), member("b"), member("c"), member("d")];
    const old = owners(buildHashRing(members));
    const now = owners(buildHashRing(members.filter((m) => m.id !== "c")));
    for (let i = 0; i < KEYS.length; i++) if (old[i] !== "c") expect(now[i]).toBe(old[i]);
  });

  it("walks clockwise past members without room, asking each at most once", () => {
    const members = [member("a"), member("b"), member("c"), member("d")];
    const ring = buildHashRing(members);
    const full = new Set(["b", "c"]);
    const asked: string[] = [];
    const spread = new Map<string, number>();
    for (const key of KEYS.slice(0, 2000)) {
      asked.length = 0;
      const id = pickConsistentHash(ring, key, (candidate) => {
        asked.push(candidate);
        return !full.has(candidate);
      })!;
      expect(full.has(id)).toBe(false);
      expect(new Set(asked).size).toBe(asked.length);
      const home = pickConsistentHash(ring, key, always)!;
      if (!full.has(home)) expect(id).toBe(home);
      else spread.set(id, (spread.get(id) ?? 0) + 1);
    }
    // A saturated member's keys spill over to several neighbours, not all onto one.
    expect(spread.size).toBe(2);
  });

  it("returns undefined for an empty ring or when nobody has room", () => {
    expect(pickConsistentHash(buildHashRing([]), "k", always)).toBeUndefined();
    expect(pickConsistentHash(buildHashRing([member("a", 0)]), "k", always)).toBeUndefined();
    let calls = 0;
    const never = () => (calls++, false);
    expect(pickConsistentHash(buildHashRing([member("a"), member("b")]), "k", never)).toBeUndefined();
    expect(calls).toBe(2);
  });

  it("checks room from live members, unknown ids having none", () => {
    const hasRoom = roomCheckFor([member("a", 1, 1, 2), member("b", 1, 2, 2)]);
    expect([hasRoom("a"), hasRoom("b"), hasRoom("x")]).toEqual([true, false, false]);
  });
});

describe("pickMember", () => {
  const random = seeded(70);

  it("threads round robin's cursor through the state", () => {
    const members = [member("a"), member("b"), member("c")];
    let state: PolicyState = initialPolicyState();
    const picked: string[] = [];
    for (let i = 0; i < 6; i++) {
      const pick = pickMember("round_robin", members, state, { random })!;
      picked.push(pick.memberId);
      state = pick.state;
    }
    expect(picked.join("")).toBe("abcabc");
    expect(state.currentWeights).toEqual({});
  });

  it("threads smooth weighted round robin's weights through the state", () => {
    const members = [member("a", 5), member("b", 1), member("c", 1)];
    let state: PolicyState = initialPolicyState();
    const picked: string[] = [];
    for (let i = 0; i < 7; i++) {
      const pick = pickMember("weighted_round_robin", members, state, { random })!;
      picked.push(pick.memberId);
      state = pick.state;
    }
    expect(picked.join("")).toBe("aabacaa");
    expect(state.cursor).toBe(0);
  });

  it("hands back the same state for stateless policies", () => {
    const state = initialPolicyState();
    for (const policy of ["random", "least_connections", "consistent_hash"] as const) {
      expect(pickMember(policy, [member("a")], state, { key: "k", random })!.state).toBe(state);
    }
  });

  it("hashes by key for consistent_hash, honouring room", () => {
    const members = [member("a"), member("b"), member("c")];
    const state = initialPolicyState();
    const ring = buildHashRing(members);
    for (let i = 0; i < 50; i++) {
      const key = `key-${i}`;
      expect(pickMember("consistent_hash", members, state, { key, random })!.memberId).toBe(
        pickConsistentHash(ring, key, () => true),
      );
    }
    const home = pickConsistentHash(ring, "sticky", () => true)!;
    const saturated = members.map((m) => (m.id === home ? { ...m, inFlight: m.limit } : m));
    expect(pickMember("consistent_hash", saturated, state, { key: "sticky", random })!.memberId).not.toBe(home);
  });

  it("falls back to least connections for consistent_hash without a key, and for unknown policies", () => {
    const members = [member("a", 1, 5), member("b", 1, 1), member("c", 1, 3)];
    const state = initialPolicyState();
    expect(pickMember("consistent_hash", members, state, { random })!.memberId).toBe("b");
    expect(pickMember("consistent_hash", members, state, { key: "", random })!.memberId).toBe("b");
    expect(pickMember("bogus" as never, members, state, { random })!.memberId).toBe("b");
  });
});
