// CPU time is counted in QuickJS interrupt polls, not read from a clock: in production Workers the
// clock does not advance while JavaScript (or WebAssembly) runs, so a budget in milliseconds has to
// be converted into a number of interrupts.
//
// QuickJS decrements a per-context counter on every function call and backward jump and calls the
// interrupt handler each time 10,000 of those have happened; its regex engine polls the same handler
// while backtracking, so ReDoS is metered too. Native builtins doing long loops without calls
// (e.g. one huge `indexOf`) are charged per call, not per byte: those are bounded by the wall-clock
// check where the clock moves (locally) and by the platform's own CPU limit in production.

/**
 * Interrupt polls per millisecond of interpreter time (unit: interrupts/ms), the median of the
 * workloads in test/sandbox/calibration.test.ts on the development machine with a warm engine:
 * string building 1.7, closures+array methods 1.9, arithmetic 2.4, property access 2.7, sort 2.9,
 * Map 3.3, calls 5.2, regex backtracking 7.7, counted loop 12.8, empty `while` 15.9. So the budget
 * is exact for typical code, ~2x generous for string-heavy code, and stops empty spin loops ~5x
 * early. (A cold engine, the first runs in a fresh isolate, runs ~2-3x slower for the same count.)
 */
export const INTERRUPTS_PER_MS = 3.3;

/**
 * What one host round trip (a macrotask dispatch, a microtask drain, or a bridge call such as
 * console.log) is charged, in interrupt units. It keeps loops that live outside the interpreter's
 * counter, like an endless setImmediate chain, inside the CPU budget. Measured: a setImmediate
 * iteration (two round trips) takes ~2.8 us, so one round trip is ~1.4 us = 0.005 interrupts;
 * charged at 0.01 (~3 us) to cover the bridge call's own work.
 */
export const HOST_CALL_COST_INTERRUPTS = 0.01;

export function interruptsToMs(interrupts: number): number {
  return interrupts / INTERRUPTS_PER_MS;
}

export function msToInterrupts(ms: number): number {
  return ms * INTERRUPTS_PER_MS;
}
