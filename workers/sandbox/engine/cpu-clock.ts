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
 * Interrupt polls per millisecond of interpreter time, measured on the development machine with
 * test/sandbox/calibration.test.ts (tight loops, calls, property access, string building and regex
 * backtracking; spread 4.1-5.6/ms, median ~4.8). A lower value makes budgets more generous.
 */
export const INTERRUPTS_PER_MS = 4.8;

/**
 * What one host round trip (a macrotask dispatch, or a bridge call such as console.log) is charged,
 * in interrupt units. It keeps loops that live outside the interpreter's counter, like an endless
 * setImmediate chain, inside the CPU budget. ~0.01 ms each, measured alongside INTERRUPTS_PER_MS.
 */
export const HOST_CALL_COST_INTERRUPTS = 0.05;

export function interruptsToMs(interrupts: number): number {
  return interrupts / INTERRUPTS_PER_MS;
}

export function msToInterrupts(ms: number): number {
  return ms * INTERRUPTS_PER_MS;
}
