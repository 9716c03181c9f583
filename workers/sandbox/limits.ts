import type { ExecutionLimits } from "./types";

// Provisional values; measured and explained in docs/sandbox.md once the engine is in place.
export const LIMIT_DEFAULTS: ExecutionLimits = {
  cpuTimeMs: 3_000,
  wallTimeMs: 5_000,
  memoryBytes: 32 * 1024 * 1024,
  stackBytes: 192 * 1024,
  maxStdoutBytes: 64 * 1024,
  maxStderrBytes: 64 * 1024,
};

export const LIMIT_MAXIMA: ExecutionLimits = {
  cpuTimeMs: 10_000,
  wallTimeMs: 15_000,
  memoryBytes: 64 * 1024 * 1024,
  stackBytes: 192 * 1024,
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
