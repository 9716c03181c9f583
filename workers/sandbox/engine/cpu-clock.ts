// CPU time is counted in interpreter ticks, not read from a clock: in production Workers the clock
// does not advance while JavaScript (or WebAssembly) runs, so a budget in milliseconds has to be
// converted into an amount of interpreter work.
//
// QuickJS decrements a per-context counter on every function call and backward jump (a "tick") and
// calls the interrupt handler when it reaches zero, after 10,000 ticks by default. Its regex engine
// polls the same handler every 10,000 backtracking steps, so ReDoS is metered too. Native builtins
// (one huge indexOf, sort, JSON.stringify) cost one tick per call whatever they do.

/** QuickJS's own poll interval (JS_INTERRUPT_COUNTER_INIT), also the regex engine's. */
export const ENGINE_TICKS_PER_POLL = 10_000;

/**
 * Poll interval we set instead, by rewriting the context's counter (see interrupt-counter.ts). 40x
 * finer: a loop that calls an expensive native builtin is polled every ~80 calls instead of ~3,300,
 * so the wall-clock check and the budget react that much sooner. A poll costs ~0.13 us; measured on
 * the tightest possible loop: 276 ms at 10,000 ticks/poll, 293 at 1,000, 304 at 250, 330 at 100.
 */
export const TICKS_PER_POLL = 250;

/**
 * When the clock moves (locally) and one poll interval took longer than SLOW_POLL_MS of real time,
 * the program is spending its time inside native builtins (BigInt arithmetic, huge string scans),
 * which ticks do not measure; from then on it is polled every NATIVE_HEAVY_TICKS_PER_POLL ticks so
 * the wall-clock limit still reacts within a few calls. Normal code spends 30-300 us per 1,000 ticks.
 */
export const SLOW_POLL_MS = 5;
export const NATIVE_HEAVY_TICKS_PER_POLL = 10;

/**
 * Interpreter ticks per millisecond (unit: ticks/ms): the median of the workloads in
 * test/sandbox/calibration.test.ts on the development machine with a warm engine, where one poll
 * at the engine's default interval is 10,000 ticks. Per workload, in polls/ms: string building 1.7,
 * closures+array methods 1.9, arithmetic 2.4, property access 2.7, sort 2.9, Map 3.3, calls 5.2,
 * regex backtracking 7.7, counted loop 12.8, empty `while` 15.9; median 3.3 polls/ms. So the budget
 * is about right for typical code, ~2x generous for string-heavy code, and stops empty spin loops
 * ~5x early. (A cold engine, in the first runs of a fresh isolate, is ~2-3x slower per tick.)
 */
export const TICKS_PER_MS = 3.3 * ENGINE_TICKS_PER_POLL;

/**
 * What one host round trip (a macrotask dispatch, a microtask drain, or a bridge call such as
 * console.log) is charged, in ticks. It keeps loops that live outside the interpreter's counter,
 * like an endless setImmediate chain, inside the CPU budget. Measured: a setImmediate iteration (two
 * round trips) takes ~2.8 us, so one round trip is ~1.4 us = ~50 ticks; charged at 100 (~3 us) to
 * cover the bridge call's own work.
 */
export const HOST_CALL_COST_TICKS = 100;

export function ticksToMs(ticks: number): number {
  return ticks / TICKS_PER_MS;
}

export function msToTicks(ms: number): number {
  return ms * TICKS_PER_MS;
}
