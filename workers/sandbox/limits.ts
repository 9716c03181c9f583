import type { ExecutionLimits } from "./types";

// Server-side limits. The API layer validates requests against LIMIT_MAXIMA and fills gaps from
// LIMIT_DEFAULTS; clampLimits() below re-applies both so the engine never trusts its caller.
// How each limit is enforced, and the measurements behind these numbers: docs/sandbox.md.

export const LIMIT_DEFAULTS: ExecutionLimits = {
  /** Counted in interpreter interrupts (engine/cpu-clock.ts), not read from a clock. */
  cpuTimeMs: 3_000,
  /** Virtual clock: estimated CPU time plus skipped timer waits (a 10 s setTimeout costs no real time). */
  wallTimeMs: 5_000,
  /**
   * Real heap bytes (runtime + prelude + program), metered on the WebAssembly memory. Bombs hit
   * 32 MiB in 10-260 ms (array push, strings, object graph, Map, ArrayBuffers).
   */
  memoryBytes: 32 * 1024 * 1024,
  /** ~940 frames of JS recursion; QuickJS throws a catchable RangeError past it. */
  stackBytes: 192 * 1024,
  maxStdoutBytes: 64 * 1024,
  maxStderrBytes: 64 * 1024,
};

export const LIMIT_MAXIMA: ExecutionLimits = {
  cpuTimeMs: 10_000,
  wallTimeMs: 15_000,
  /**
   * Each run has its own linear memory (16 MiB initial + the budget), and an isolate has 128 MB
   * for everything: 64 MiB leaves room for the Worker itself and a second instance being created.
   */
  memoryBytes: 64 * 1024 * 1024,
  /**
   * The engine's stack check measures its own (shadow) stack, but the host's native stack is what
   * runs out: measured here, recursion past ~350 KiB of engine stack overflows the host first. That
   * is still caught (the run ends as an uncatchable RangeError, exit 1, and the instance is thrown
   * away), but below this maximum the program can catch it like in Node. 512 KiB never works.
   */
  stackBytes: 256 * 1024,
  maxStdoutBytes: 1024 * 1024,
  maxStderrBytes: 1024 * 1024,
};

/** Smallest values the engine can work with (below these a run could not even start). */
const LIMIT_MINIMA: ExecutionLimits = {
  cpuTimeMs: 1,
  wallTimeMs: 1,
  memoryBytes: 2 * 1024 * 1024,
  stackBytes: 16 * 1024,
  maxStdoutBytes: 0,
  maxStderrBytes: 0,
};

/**
 * Defensive copy of request limits: missing or invalid values take the default, everything is
 * clamped into [minimum, maximum]. The API layer validates first; this keeps the engine safe anyway
 * (the stack maximum in particular protects the host, see LIMIT_MAXIMA.stackBytes).
 */
export function clampLimits(limits: Partial<ExecutionLimits> | undefined): ExecutionLimits {
  const out = { ...LIMIT_DEFAULTS };
  for (const key of Object.keys(LIMIT_DEFAULTS) as Array<keyof ExecutionLimits>) {
    const value = limits?.[key];
    if (typeof value === "number" && Number.isFinite(value)) {
      out[key] = Math.min(LIMIT_MAXIMA[key], Math.max(LIMIT_MINIMA[key], Math.floor(value)));
    }
  }
  return out;
}
