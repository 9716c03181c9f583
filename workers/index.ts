import { createApp } from "./api/app";
import { isolateCacheMemory } from "./cache";
import { warmCache } from "./cache/warm-cache";
import { storedRequestExecutor } from "./execution/execute-program";
import { createLogger } from "./observability/logger";

// The one Worker script. Later capabilities add `queue` (async jobs) and more `scheduled` work
// (alerting) and export their Durable Object classes from here.
const app = createApp();

export default {
  fetch: app.fetch,
  /** Cron (wrangler.toml [triggers]): keep the result cache's hottest programs warm (docs/cache.md). */
  async scheduled(controller, env, ctx) {
    const logger = createLogger({ cron: controller.cron });
    await warmCache(env, {
      ...storedRequestExecutor,
      memory: isolateCacheMemory(),
      waitUntil: (promise) => ctx.waitUntil(promise),
      log: (level, message, fields) => logger.log(level, message, fields),
    });
  },
} satisfies ExportedHandler<Env>;
