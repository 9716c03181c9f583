import type { RequestRecord } from "../../workers/metrics/rollup";

/** A finished request with defaults; override what a test is about. */
export function record(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    at: Date.UTC(2026, 10, 20, 12, 0, 30),
    route: "POST /v1/executions",
    status: 200,
    latencyMs: 12,
    tenant: "acme",
    region: "eu-west",
    backend: "builtin-eu-west",
    runtime: "javascript",
    runtimeVersion: "2025.9.13",
    cache: "miss",
    executionStatus: "ok",
    ranProgram: true,
    cpuMs: 3,
    memoryBytes: 1000,
    requestBytes: 100,
    responseBytes: 0,
    attempts: 1,
    colo: null,
    ...overrides,
  };
}
