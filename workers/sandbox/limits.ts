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
