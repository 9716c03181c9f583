import { probePiston } from "../backends/piston-remote";
import type { Database } from "../db/client";
import { recordBackendCheck } from "../db/topology";
import type { Backend } from "../routing/types";

/** A probe waits this long for a backend before calling it unreachable. */
export const PROBE_TIMEOUT_MS = 5_000;

/**
 * Probes one remote backend the way a client uses it (runtimes list plus a tiny program) and stores
 * what it found: reachability, and the runtimes it offers, which routing and the runtime lists use.
 * A failed probe keeps the last known runtimes so a flapping backend does not lose its languages.
 */
export async function checkBackend(
  db: Database,
  backend: Pick<Backend, "id" | "kind" | "url">,
  fetcher?: typeof fetch,
): Promise<{ healthy: boolean; latencyMs: number; error?: string }> {
  if (backend.kind !== "piston" || !backend.url) return { healthy: true, latencyMs: 0 };
  const probe = await probePiston(backend.url, { timeoutMs: PROBE_TIMEOUT_MS, ...(fetcher ? { fetcher } : {}) });
  await recordBackendCheck(db, backend.id, {
    healthy: probe.healthy,
    ...(probe.healthy ? { runtimes: probe.runtimes } : {}),
    at: Date.now(),
  });
  return { healthy: probe.healthy, latencyMs: probe.latencyMs, ...(probe.error ? { error: probe.error.message } : {}) };
}
