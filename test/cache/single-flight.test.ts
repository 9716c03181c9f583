import { afterEach, describe, expect, it, vi } from "vitest";
import { isolateCacheMemory } from "../../workers/cache";
import { D1Level } from "../../workers/cache/levels/l3-d1";
import { SingleFlight } from "../../workers/cache/single-flight";
import { postJson } from "../helpers/http";

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("SingleFlight", () => {
  it("runs concurrent work for one key once and shares its value", async () => {
    const flight = new SingleFlight<number>();
    const gate = deferred<number>();
    let runs = 0;
    const work = () => {
      runs++;
      return gate.promise;
    };
    const callers = Array.from({ length: 5 }, () => flight.run("k", work, { followerTimeoutMs: 5_000 }));
    expect(flight.inFlight).toBe(1);
    gate.resolve(42);
    const results = await Promise.all(callers);
    expect(runs).toBe(1);
    expect(results.map((r) => r.value)).toEqual([42, 42, 42, 42, 42]);
    expect(results.filter((r) => r.shared)).toHaveLength(4);
    expect(flight.inFlight).toBe(0);
  });

  it("keeps different keys apart, and starts afresh once a run is over", async () => {
    const flight = new SingleFlight<string>();
    let runs = 0;
    const work = async () => `run ${++runs}`;
    const [a, b] = await Promise.all([flight.run("a", work, { followerTimeoutMs: 1_000 }), flight.run("b", work, { followerTimeoutMs: 1_000 })]);
    expect(new Set([a.value, b.value]).size).toBe(2);
    expect((await flight.run("a", work, { followerTimeoutMs: 1_000 })).value).toBe("run 3");
  });

  it("lets followers run the work themselves when the leader fails; the leader gets its error", async () => {
    const flight = new SingleFlight<string>();
    const gate = deferred<string>();
    let runs = 0;
    const work = () => (++runs === 1 ? gate.promise : Promise.resolve("follower ran"));
    const leader = flight.run("k", work, { followerTimeoutMs: 5_000 });
    const follower = flight.run("k", work, { followerTimeoutMs: 5_000 });
    gate.reject(new Error("boom"));
    await expect(leader).rejects.toThrow("boom");
    expect(await follower).toEqual({ value: "follower ran", shared: false });
  });

  it("does not leave a follower waiting on a leader that never answers", async () => {
    const flight = new SingleFlight<string>();
    const never = new Promise<string>(() => undefined);
    void flight.run("k", () => never, { followerTimeoutMs: 1_000 });
    const started = Date.now();
    const follower = await flight.run("k", async () => "did it myself", { followerTimeoutMs: 50 });
    expect(follower).toEqual({ value: "did it myself", shared: false });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("hands the leader's work to waitUntil so it outlives the leader's response", async () => {
    const flight = new SingleFlight<number>();
    const kept: Promise<unknown>[] = [];
    await flight.run("k", async () => 1, { followerTimeoutMs: 1_000, waitUntil: (p) => kept.push(p) });
    expect(kept).toHaveLength(1);
  });
});

describe("single-flight through the real Worker (concurrent requests in one isolate)", () => {
  afterEach(() => vi.restoreAllMocks());

  /**
   * The built-in sandbox runs a program synchronously, so requests can only overlap while the
   * leader awaits its lookups. Slowing the L3 read (in this isolate, which the Worker shares with
   * the test) makes every request arrive while the leader is still in flight, however busy the
   * machine is.
   */
  function slowL3(ms: number) {
    const read = D1Level.prototype.get;
    vi.spyOn(D1Level.prototype, "get").mockImplementation(async function (this: D1Level, key: string) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return read.call(this, key);
    });
  }

  it("executes concurrent identical misses once; the others wait for it", async () => {
    slowL3(300);
    const code = `console.log("single flight", ${Math.random()})`;
    const responses = await Promise.all(Array.from({ length: 8 }, () => postJson("/v1/executions", { language: "javascript", code })));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as Array<{ status: string; stdout: string; cache: { status: string; reason?: string } }>;
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(new Set(bodies.map((b) => b.stdout)).size).toBe(1);
    expect(bodies.filter((b) => b.cache.status === "MISS" && b.cache.reason === undefined)).toHaveLength(1);
    expect(bodies.filter((b) => b.cache.reason === "coalesced")).toHaveLength(7);
    expect(responses.every((r, i) => r.headers.get("x-cache") === bodies[i].cache.status)).toBe(true);
    expect(isolateCacheMemory().flights.inFlight).toBe(0);
  });

  it("does not share a nondeterministic result: each concurrent request runs its own", async () => {
    slowL3(300);
    const code = `console.log(Math.random())`;
    const responses = await Promise.all(Array.from({ length: 4 }, () => postJson("/v1/executions", { language: "javascript", code })));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as Array<{ stdout: string; cache: { status: string; reason?: string } }>;
    expect(bodies.map((b) => b.cache)).toEqual(Array(4).fill(expect.objectContaining({ status: "BYPASS", reason: "nondeterministic" })));
    expect(new Set(bodies.map((b) => b.stdout)).size).toBe(4);
    expect(vi.mocked(D1Level.prototype.get)).toHaveBeenCalledTimes(1); // they did wait for one lookup
  });
});
