// The cache's cron job: keep the hottest programs warm, re-run the hottest invalidated ones, and
// delete what can never be served again. Policy in warming.ts; this file only does the I/O.
import type { ExecutionResult } from "../sandbox/types";
import { lookupKey, programKey } from "./cache-key";
import { MAX_L3_TTL_SECONDS, readCacheConfig } from "./config";
import type { StoredRequest } from "./entry";
import { GENERATION_STALENESS_MS } from "./generation-cache";
import { D1GenerationStore } from "./generation-store";
import { resultCacheFor, type CacheEnv } from "./index";
import { KvLevel } from "./levels/l2-kv";
import { D1Level } from "./levels/l3-d1";
import { MAX_SWR_SECONDS, resultBypassReason } from "./policy";
import { newCacheEntry, type CacheMemory } from "./result-cache";
import { pruneHitCounts, readHotCandidates } from "./stats-store";
import { dependencyTags, GLOBAL_SCOPE, qualifiedTag, visibleTags } from "./tags";
import { planWarming, rankHottest, type WarmingAction } from "./warming";
import type { LogFields, LogLevel } from "../observability/logger";

/** Stats of the cron's own writes are counted under this name (tenant ids cannot contain parentheses). */
export const CRON_STATS_TENANT = "(cron)";
/**
 * Re-executions per run stop once the programs run have used this much CPU (as the sandbox
 * counts it), well inside a cron invocation's CPU limit.
 */
export const WARM_CPU_BUDGET_MS = 10_000;
/** Candidates read per program the cron may warm: ranking needs more rows than it keeps. */
const CANDIDATES_PER_SLOT = 4;
/**
 * A generation row may go once no entry made under an older generation can still be served: entries
 * live at most MAX_L3_TTL_SECONDS (+ stale-while-revalidate), and an isolate may create one up to the
 * staleness bound after the bump. Generations only grow, so a pruned tag never revives an old key.
 */
export const GENERATION_RETENTION_MS = (MAX_L3_TTL_SECONDS + MAX_SWR_SECONDS) * 1000 + GENERATION_STALENESS_MS + 86_400_000;

export interface WarmingDeps {
  /** Runs a stored request again (the same executor requests use). */
  execute(request: StoredRequest): Promise<ExecutionResult>;
  /** Whether the stored request's runtime still exists. */
  runtimeAvailable(request: StoredRequest): boolean;
  waitUntil?: (promise: Promise<unknown>) => void;
  now?: () => number;
  memory?: CacheMemory;
  log?: (level: LogLevel, message: string, fields?: LogFields) => void;
}

export interface WarmingReport {
  hot: number;
  actions: Record<WarmingAction["kind"] | "failed" | "over-budget" | "not-cacheable", number>;
  skipped: Record<string, number>;
  pruned: { entries: number; hitCounts: number; generations: number };
}

export async function warmCache(env: CacheEnv, deps: WarmingDeps): Promise<WarmingReport> {
  const now = deps.now ?? Date.now;
  const log = deps.log ?? (() => undefined);
  const waitUntil = deps.waitUntil ?? ((promise: Promise<unknown>) => void promise.catch(() => undefined));
  // No L1: the cron runs in whichever colo it is scheduled in, where nobody may ask.
  const cache = resultCacheFor(env, waitUntil, { memory: deps.memory, now, log, l1: null });
  const config = readCacheConfig(env);
  const l3 = new D1Level(env.DB);
  const l2 = env.RESULT_CACHE ? new KvLevel(env.RESULT_CACHE) : null;
  const store = new D1GenerationStore(env.DB);
  const report: WarmingReport = {
    hot: 0,
    actions: { keep: 0, "refresh-l2": 0, reexecute: 0, skip: 0, failed: 0, "over-budget": 0, "not-cacheable": 0 },
    skipped: {},
    pruned: { entries: 0, hitCounts: 0, generations: 0 },
  };

  await cache.flushStats(); // this isolate's own counts take part in the ranking
  const started = now();
  const hot = config.warmTopN > 0 ? rankHottest(await readHotCandidates(env.DB, started, config.warmTopN * CANDIDATES_PER_SLOT), started, config.warmTopN) : [];
  report.hot = hot.length;
  // Generations read now, never from isolate memory: the cron must see every invalidation.
  const generations = await store.loadScopes([GLOBAL_SCOPE, ...hot.map((row) => row.namespace)]);
  let cpuSpentMs = 0;

  for (const { namespace, programKey: key } of hot) {
    try {
      const row = await l3.newestOf(namespace, key);
      const request = row?.request ?? null;
      // The stored request must still be this program (it is what will be run again).
      const usable = request !== null && request.namespace === namespace && (await programKey(request)) === key;
      const tags = usable ? dependencyTags(namespace, request, key, request.userTags) : [];
      const current = usable ? await lookupKey(key, tags.map((tag) => [qualifiedTag(tag), generations.get(qualifiedTag(tag)) ?? 0] as const)) : null;
      const l2Until = row && l2 && current === row.entry.lookupKey ? await l2.expiry(current) : null;
      const action = planWarming({
        entry: row?.entry ?? null,
        currentLookupKey: current,
        l2Until,
        runtimeAvailable: usable && deps.runtimeAvailable(request),
        now: now(),
      });
      if (action.kind === "skip") {
        report.actions.skip++;
        report.skipped[action.why] = (report.skipped[action.why] ?? 0) + 1;
      } else if (action.kind === "keep") {
        report.actions.keep++;
      } else if (action.kind === "refresh-l2" && row && request) {
        await cache.writeLevels(row.entry, request, 0, CRON_STATS_TENANT, { skip: new Set(["l1", "l3"]), scheduled: true });
        report.actions["refresh-l2"]++;
      } else if (action.kind === "reexecute" && request && current) {
        if (cpuSpentMs >= WARM_CPU_BUDGET_MS) {
          report.actions["over-budget"]++;
          continue;
        }
        const result = await deps.execute(request);
        cpuSpentMs += result.cpuTimeMs;
        if (resultBypassReason(result) !== null) {
          report.actions["not-cacheable"]++;
          continue;
        }
        const entry = newCacheEntry({ lookupKey: current, programKey: key, namespace, tags: visibleTags(tags) }, result, now(), config);
        await cache.writeLevels(entry, request, 0, CRON_STATS_TENANT, { skip: new Set(["l1"]), scheduled: true });
        report.actions.reexecute++;
      }
    } catch (error) {
      report.actions.failed++;
      log("warn", "cache warming failed for a program", { namespace, programKey: key, error: String(error) });
    }
  }

  const end = now();
  report.pruned.entries = await l3.deleteExpired(end - MAX_SWR_SECONDS * 1000);
  report.pruned.hitCounts = await pruneHitCounts(env.DB, end);
  report.pruned.generations = await store.pruneBefore(end - GENERATION_RETENTION_MS);
  await cache.flushStats();
  log("info", "cache warming done", {
    hot: report.hot,
    ...Object.fromEntries(Object.entries(report.actions).map(([kind, count]) => [`actions.${kind}`, count])),
    prunedEntries: report.pruned.entries,
  });
  return report;
}
