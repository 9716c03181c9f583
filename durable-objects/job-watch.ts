import { DurableObject } from "cloudflare:workers";

/**
 * Wakes the long-polls (`wait=`) of one job when it finishes (docs/jobs.md). Waiters call `wait`
 * after reading the job and finding it unfinished; the consumer calls `notify` after it has stored
 * the job's final state. Nobody polls D1 in a loop.
 *
 * Nothing is written to storage: the flag only matters for a waiter that arrives in the instant
 * between its own read of the job and the notification, and if this object was evicted meanwhile
 * that waiter simply waits out its timeout and then reads the stored (final) job. Persisting the
 * flag cost a storage write and an alarm per job and halved the job pipeline's throughput
 * (docs/jobs.md, Benchmark).
 */
export class JobWatch extends DurableObject<Env> {
  private finished = false;
  private readonly waiters = new Set<() => void>();

  /** Resolves true as soon as the job has finished, or false after `timeoutMs`. */
  async wait(timeoutMs: number): Promise<boolean> {
    if (this.finished) return true;
    return new Promise<boolean>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        resolve(false);
      }, Math.max(0, timeoutMs));
      this.waiters.add(wake);
    });
  }

  notify(): void {
    this.finished = true;
    for (const wake of [...this.waiters]) wake();
  }

  /** A replayed job runs again: later waiters must wait for the new run. */
  reset(): void {
    this.finished = false;
  }
}
