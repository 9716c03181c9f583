import type { MinuteAggregate, MinuteRollup, TotalsAggregate } from "./rollup";
import { ROLLUP_OBJECT_NAME } from "./store-config";

// The Worker's side of the rollup store: the MetricsRollup Durable Object named "global".

type RollupBinding = Pick<Env, "METRICS_ROLLUP">;

export function rollupStub(env: RollupBinding) {
  return env.METRICS_ROLLUP.get(env.METRICS_ROLLUP.idFromName(ROLLUP_OBJECT_NAME));
}

/**
 * Per-minute rollups of the whole service for the minutes overlapping [from, to) (epoch ms):
 * one MinuteRollup per minute — dense (a minute without requests is all zeros) and ascending —
 * with every dimension merged plus per-region request and error counts. Only the last 48 hours
 * are kept: `from` is raised to that horizon. Counts include what isolates have flushed so far
 * (each flushes at least every 10 s while it serves requests).
 *
 * This is the series capacity forecasting and alerting read; keep its signature.
 */
export async function readRollups(env: RollupBinding, range: { from: number; to: number }): Promise<MinuteRollup[]> {
  if (!(range.to > range.from)) return [];
  return (await rollupStub(env).rollups(range.from, range.to)) as MinuteRollup[];
}

/** Cumulative counters since the store began (Prometheus). */
export async function readTotals(env: RollupBinding): Promise<TotalsAggregate> {
  return (await rollupStub(env).readTotals()) as TotalsAggregate;
}

/** Sends partial minute aggregates to the store. */
export async function ingestMinutes(env: RollupBinding, minutes: MinuteAggregate[]): Promise<void> {
  if (minutes.length === 0) return;
  await rollupStub(env).ingest(minutes);
}
