import { describe, expect, it } from "vitest";
import { ApiError } from "../../workers/api/errors";
import { countingExecutor, isolate, okResult, uniqueRequest } from "./helpers";

// Stale-if-error (RFC 5861): when a program cannot be run for lack of capacity (the router's
// 429/502/503), an expired cached answer is served instead, marked as such.

const NINE_DAYS_MS = 9 * 24 * 3600 * 1000;

describe("stale-if-error", () => {
  it("serves an expired entry, marked, when running the program fails for lack of capacity", async () => {
    const clock = { now: Date.now() };
    const first = isolate({ clock });
    const request = uniqueRequest("sie");
    const filled = await first.cache().run(request, countingExecutor(() => okResult("cached\n")).execute);
    await first.settle();
    expect(filled.cache.status).toBe("MISS");

    // Past every level's lifetime (L3 keeps an entry 7 days), in another isolate (no memory copy).
    clock.now += NINE_DAYS_MS;
    const later = isolate({ clock });
    const down = async () => {
      throw new ApiError("service_unavailable", "every backend failed");
    };
    const answer = await later.cache().run(request, down);
    expect(answer.result.stdout).toBe("cached\n");
    expect(answer.cache).toMatchObject({ stale: true, staleIfError: true, key: filled.cache.key });
    expect(answer.cache.status).toMatch(/^HIT-L[123]$/);
  });

  it("still runs the program when it can: an expired entry is not an answer", async () => {
    const clock = { now: Date.now() };
    const first = isolate({ clock });
    const request = uniqueRequest("sie");
    await first.cache().run(request, countingExecutor(() => okResult("old\n")).execute);
    await first.settle();
    clock.now += NINE_DAYS_MS;
    const executor = countingExecutor(() => okResult("new\n"));
    const answer = await isolate({ clock }).cache().run(request, executor.execute);
    expect(answer.result.stdout).toBe("new\n");
    expect(answer.cache.status).toBe("MISS");
    expect(executor.runs).toBe(1);
  });

  it("rethrows other failures, and capacity failures with nothing cached", async () => {
    const clock = { now: Date.now() };
    const first = isolate({ clock });
    const request = uniqueRequest("sie");
    await first.cache().run(request, countingExecutor(() => okResult("x\n")).execute);
    await first.settle();
    clock.now += NINE_DAYS_MS;
    const bug = async () => {
      throw new Error("a bug");
    };
    await expect(isolate({ clock }).cache().run(request, bug)).rejects.toThrow("a bug");
    const unavailable = async () => {
      throw new ApiError("service_unavailable", "down");
    };
    await expect(isolate({ clock }).cache().run(uniqueRequest("sie"), unavailable)).rejects.toThrow("down");
  });
});
