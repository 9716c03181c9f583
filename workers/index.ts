import { runOperatorCron } from "./alerting/cron";
import { createApp } from "./api/app";
import { isolateCacheMemory } from "./cache";
import { warmCache } from "./cache/warm-cache";
import { storedRequestExecutor } from "./execution/execute-program";
import { consumeDeadLetters, consumeJobs } from "./jobs/consumer";
import { createLogger, type LogFields, type LogLevel } from "./observability/logger";
import { startRegionPools } from "./pools/start-region-pools";

export { BackendBreaker } from "../durable-objects/backend-breaker";
export { JobWatch } from "../durable-objects/job-watch";
export { MetricsRollup } from "../durable-objects/metrics-rollup";
export { RegionPool } from "../durable-objects/region-pool";
export { TraceStore } from "../durable-objects/trace-store";

// The one Worker script: the HTTP API, the queue consumers, the cron, and the Durable Object classes.
const app = createApp();

/** The dead-letter queue's name (wrangler.toml); its consumer marks jobs failed and keeps the letters. */
const DEAD_LETTER_QUEUE = "edgebox-jobs-dlq";

export default {
  fetch: app.fetch,
  /** Queue consumers (docs/jobs.md): both job lanes, and the dead-letter queue. */
  async queue(batch, env, ctx) {
    if (batch.queue === DEAD_LETTER_QUEUE) await consumeDeadLetters(batch, env);
    else await consumeJobs(batch, env, ctx);
  },
  /**
   * Cron (wrangler.toml [triggers]): keep the result cache's hottest programs warm
   * (docs/cache.md), make sure every region's pool runs its health probes (docs/routing.md), and
   * evaluate alert rules and record capacity history (docs/alerting.md, docs/capacity.md).
   */
  async scheduled(controller, env, ctx) {
    const logger = createLogger({ cron: controller.cron });
    const log = (level: LogLevel, message: string, fields?: LogFields) => logger.log(level, message, fields);
    await Promise.all([
      warmCache(env, {
        ...storedRequestExecutor,
        memory: isolateCacheMemory(),
        waitUntil: (promise) => ctx.waitUntil(promise),
        log,
      }),
      startRegionPools(env).catch((error: unknown) => log("error", "starting region pools failed", { error: String(error) })),
      runOperatorCron(env, controller.scheduledTime, log),
    ]);
  },
} satisfies ExportedHandler<Env>;
