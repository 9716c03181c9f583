// Finer interrupt polling by rewriting QuickJS's per-context tick counter.
//
// QuickJS resets `ctx->interrupt_counter` to 10,000 right before it calls the interrupt handler.
// Inside the handler we overwrite it with TICKS_PER_POLL so the next poll comes sooner. The field's
// offset inside JSContext was found by scanning a context for the value 10,000 during a poll (it is
// the only match, in every run); it belongs to this exact build of the engine, which is pinned in
// package.json. Every write is guarded: we only write when the word at that offset holds exactly
// 10,000 at poll time, i.e. the engine just reset it. A regex-engine poll (which does not reset the
// counter) or a different layout fails that check, and the poll is simply counted at the engine's
// default interval.
import { ENGINE_TICKS_PER_POLL, TICKS_PER_POLL } from "./cpu-clock";

/** Byte offset of `interrupt_counter` in QuickJS 2025-09-13's JSContext (wasm32 build). */
const INTERRUPT_COUNTER_OFFSET = 232;

/** Set once per isolate when a poll has shown the counter where we expect it. */
let layoutVerified = false;

export class InterruptCounter {
  private view: Int32Array | null = null;
  /** Ticks the current JS countdown started from (the engine starts a context at its default). */
  private interval = ENGINE_TICKS_PER_POLL;
  /** How many polls were rewritten (exposed for tests). */
  rewrites = 0;

  constructor(private readonly memory: WebAssembly.Memory, private readonly contextPointer: number) {}

  private word(): Int32Array | null {
    if (!Number.isInteger(this.contextPointer) || this.contextPointer <= 0) return null;
    if (this.view === null || this.view.buffer !== this.memory.buffer) {
      this.view = new Int32Array(this.memory.buffer, this.contextPointer + INTERRUPT_COUNTER_OFFSET, 1);
    }
    return this.view;
  }

  /**
   * Called at every poll; sets the next poll `nextInterval` ticks away and returns the ticks this
   * poll accounts for.
   */
  poll(nextInterval: number = TICKS_PER_POLL): number {
    const word = this.word();
    if (word === null || word[0] !== ENGINE_TICKS_PER_POLL) {
      // Not a fresh JS countdown: a regex backtracking poll (10,000 steps), or an unknown layout.
      return ENGINE_TICKS_PER_POLL;
    }
    layoutVerified = true;
    const elapsed = this.interval;
    word[0] = nextInterval;
    this.interval = nextInterval;
    this.rewrites++;
    return elapsed;
  }

  /**
   * Starts a countdown of `interval` ticks now (before user code runs, so even its first stretch is
   * short). Only once a poll in this isolate has confirmed the layout; returns the ticks the
   * abandoned countdown had already consumed.
   */
  prime(interval: number = TICKS_PER_POLL): number {
    const word = this.word();
    if (!layoutVerified || word === null || word[0] <= 0 || word[0] > ENGINE_TICKS_PER_POLL) return 0;
    const consumed = this.interval - word[0];
    word[0] = interval;
    this.interval = interval;
    return Math.max(0, consumed);
  }
}
