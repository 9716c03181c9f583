import { DurableObject } from "cloudflare:workers";

/** Nobody long-polls a job this long after it finished: the object forgets it then. */
const FORGET_AFTER_MS = 60 * 60_000;

/**
 * Wakes the long-polls (`wait=`) of one job when it finishes (docs/jobs.md). Waiters call `wait`,
 * the consumer calls `notify` after it has stored the job's final state; a waiter that arrives after
 * the notification returns at once. Nobody polls D1 in a loop.
 */
export class JobWatch extends DurableObject<Env> {
  private finished = false;
  private readonly waiters = new Set<() => void>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.finished = (await ctx.storage.get<boolean>("finished")) ?? false;
    });
  }

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

  async notify(): Promise<void> {
    this.finished = true;
    await this.ctx.storage.put("finished", true);
    await this.ctx.storage.setAlarm(Date.now() + FORGET_AFTER_MS);
    for (const wake of [...this.waiters]) wake();
  }

  /** A replayed job runs again: later waiters must wait for the new run. */
  async reset(): Promise<void> {
    this.finished = false;
    await this.ctx.storage.deleteAll();
  }

  async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
    this.finished = false;
  }
}
