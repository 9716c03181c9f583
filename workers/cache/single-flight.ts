// Single-flight within an isolate: concurrent callers with the same key share one run of the work.
//
// workerd ties promises to the request (IoContext) that created them. What we observed in workerd
// (vitest and wrangler dev, compatibility date 2026-11-01):
//   - a request MAY await a promise another request created: its continuation runs in its own
//     context once the creator settles it (test/cache/single-flight.test.ts covers this through
//     concurrent requests to the real Worker);
//   - a request may NOT settle a promise another request created: calling that promise's resolver
//     throws "Cannot perform I/O on behalf of a different request" and the waiter never answers
//     (an earlier version of this file handed resolvers to the leader, and hung exactly so).
// So followers await the leader's own promise (which the leader settles itself), and never hand the
// leader a resolver. If the leader's request is cancelled mid-run (its client went away) its promise
// may never settle; the leader's work is therefore also given to its `waitUntil` to keep it running,
// and a follower races the leader against a timer of its own request: after `followerTimeoutMs` of
// silence it runs the work itself instead of hanging.

export type FlightResult<T> = { value: T; shared: boolean };

type Settled<T> = { ok: true; value: T } | { ok: false };

export interface FlightOptions {
  /** Keeps the leader's work alive past its own response (ctx.waitUntil). */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** How long a follower waits for the leader before it does the work itself. */
  followerTimeoutMs: number;
}

export class SingleFlight<T> {
  private readonly flights = new Map<string, Promise<Settled<T>>>();

  /** Keys with a run in progress (for tests and diagnostics). */
  get inFlight(): number {
    return this.flights.size;
  }

  /**
   * Runs `work` unless a run for `key` is already in progress, in which case this waits for that
   * run's value (`shared: true`). If the leader fails or goes silent, the follower runs `work` itself.
   */
  async run(key: string, work: () => Promise<T>, options: FlightOptions): Promise<FlightResult<T>> {
    const leader = this.flights.get(key);
    if (leader) {
      const settled = await this.follow(leader, options.followerTimeoutMs);
      if (settled?.ok) return { value: settled.value, shared: true };
      return { value: await work(), shared: false };
    }
    let failure: { error: unknown } | null = null;
    const flight: Promise<Settled<T>> = work().then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => {
        failure = { error };
        return { ok: false as const };
      },
    );
    this.flights.set(key, flight);
    const done = flight.finally(() => {
      if (this.flights.get(key) === flight) this.flights.delete(key);
    });
    options.waitUntil?.(done);
    const settled = await done;
    if (!settled.ok) throw (failure as { error: unknown } | null)?.error;
    return { value: settled.value, shared: false };
  }

  /** The leader's answer, or null when a timer of the follower's own request fires first. */
  private async follow(leader: Promise<Settled<T>>, timeoutMs: number): Promise<Settled<T> | null> {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    try {
      return await Promise.race([leader, timeout]);
    } finally {
      if (timer !== null) clearTimeout(timer);
    }
  }
}
