import { describe, expect, it } from "vitest";
import { LeaseBook } from "../../workers/routing/lease-book";

const lease = (id: string, backendId: string, expiresAt: number) => ({ id, backendId, acquiredAt: 0, expiresAt });

describe("LeaseBook", () => {
  it("counts leases per backend and forgets released ones", () => {
    const book = new LeaseBook();
    book.add(lease("1", "a", 100));
    book.add(lease("2", "a", 100));
    book.add(lease("3", "b", 100));
    expect(book.inFlight("a")).toBe(2);
    expect(book.inFlight("b")).toBe(1);
    expect(book.release("1")?.backendId).toBe("a");
    expect(book.inFlight("a")).toBe(1);
    expect(book.release("1")).toBeUndefined();
    expect(book.counts()).toEqual({ a: 1, b: 1 });
    expect(book.size).toBe(2);
  });

  it("drops expired leases on sweep so a crashed caller cannot leak a slot", () => {
    const book = new LeaseBook();
    book.add(lease("1", "a", 100));
    book.add(lease("2", "a", 200));
    expect(book.sweep(99)).toEqual([]);
    expect(book.sweep(100).map((l) => l.id)).toEqual(["1"]);
    expect(book.inFlight("a")).toBe(1);
    // The late release of an expired lease is ignored, not double-counted.
    expect(book.release("1")).toBeUndefined();
    expect(book.inFlight("a")).toBe(1);
    expect(book.sweep(250).map((l) => l.id)).toEqual(["2"]);
    expect(book.inFlight("a")).toBe(0);
    expect(book.counts()).toEqual({});
  });

  it("keeps counts consistent under a random mix of adds, releases and sweeps", () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const book = new LeaseBook();
    const live = new Map<string, { backendId: string; expiresAt: number }>();
    let now = 0;
    for (let step = 0; step < 5_000; step++) {
      now += Math.floor(random() * 10);
      const roll = random();
      if (roll < 0.5) {
        const id = String(step);
        const backendId = ["a", "b", "c"][Math.floor(random() * 3)];
        const expiresAt = now + 1 + Math.floor(random() * 200);
        book.add({ id, backendId, acquiredAt: now, expiresAt });
        live.set(id, { backendId, expiresAt });
      } else if (roll < 0.8 && live.size > 0) {
        const ids = [...live.keys()];
        const id = ids[Math.floor(random() * ids.length)];
        book.release(id);
        live.delete(id);
      } else {
        book.sweep(now);
        for (const [id, entry] of live) if (entry.expiresAt <= now) live.delete(id);
        for (const backendId of ["a", "b", "c"]) {
          expect(book.inFlight(backendId)).toBe([...live.values()].filter((e) => e.backendId === backendId).length);
        }
      }
    }
  });
});
