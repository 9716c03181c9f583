import { openDatabase } from "../db/client";
import { loadTopology } from "../db/topology";
import { checkBackend, PROBE_TIMEOUT_MS } from "./backend-check";
import type { PoolSnapshot } from "./pool-protocol";

export interface MaintenanceEnv {
  DB: D1Database;
  SCALING_WEBHOOK_URL?: string;
}

/**
 * The pool's periodic work (its Durable Object alarm): probe the region's remote backends and
 * store what they report (reachability and runtimes feed routing and the runtime lists), then POST
 * scaling recommendations that changed to the operator's webhook, if one is configured.
 * `lastActions` remembers what was last announced per backend so each change is sent once.
 */
export async function runPoolMaintenance(
  env: MaintenanceEnv,
  regionId: string,
  snapshot: PoolSnapshot,
  lastActions: Map<string, string>,
  fetcher: typeof fetch = fetch,
): Promise<void> {
  const db = openDatabase(env.DB);
  const topology = await loadTopology(db);
  const remote = topology.backends.filter(
    (backend) => backend.regionId === regionId && backend.kind === "piston" && backend.enabled && backend.url,
  );
  await Promise.all(remote.map((backend) => checkBackend(db, backend, fetcher)));

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
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
    } catch {
      // Advisory only: the next change is announced again; the admin API always shows the latest.
    }
  }
}
