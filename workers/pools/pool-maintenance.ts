import type { PoolSnapshot } from "./pool-protocol";

/** A webhook call gives up after this long. */
const WEBHOOK_TIMEOUT_MS = 5_000;

export interface MaintenanceEnv {
  SCALING_WEBHOOK_URL?: string;
}

/**
 * The pool's periodic work (its Durable Object alarm): POST scaling recommendations that changed
 * to the operator's webhook, if one is configured. `lastActions` remembers what was last announced
 * per backend so each change is sent once. (Health probes run in each backend's BackendBreaker.)
 */
export async function runPoolMaintenance(
  env: MaintenanceEnv,
  regionId: string,
  snapshot: PoolSnapshot,
  lastActions: Map<string, string>,
  fetcher: typeof fetch = fetch,
): Promise<void> {
  const webhook = env.SCALING_WEBHOOK_URL;
  for (const backend of snapshot.backends) {
    const { action } = backend.recommendation;
    const previous = lastActions.get(backend.id) ?? "hold";
    lastActions.set(backend.id, action);
    if (!webhook || action === previous) continue;
    try {
      await fetcher(webhook, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ event: "scaling_recommendation", region: regionId, backend: backend.id, ...backend.recommendation, at: snapshot.at }),
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
    } catch {
      // Advisory only: the next change is announced again; the admin API always shows the latest.
    }
  }
}
