import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { BackendKind, BackendRuntime, LbPolicy, SessionFailover } from "../routing/types";

// D1 schema. `npm run db:generate` turns changes here into SQL under migrations/, which wrangler
// (`npm start`, `npm run deploy`) and the test setup apply. Every table is described in
// docs/storage-schema.md.

/** A customer of the service. Everything a request does is scoped to one tenant. */
export const tenants = sqliteTable("tenants", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** A disabled tenant's keys still authenticate but every request gets 403. */
  disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
  /** Result cache: share entries with every other opted-in tenant (namespace "shared"). */
  cacheShared: integer("cache_shared", { mode: "boolean" }).notNull().default(false),
  /** Result cache: serve an expired entry for this long while it is re-executed in the background. */
  cacheSwrSeconds: integer("cache_swr_seconds").notNull().default(0),
  createdAt: integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch() * 1000)`),
});

/**
 * API keys are stored only as SHA-256 hashes; the plaintext is shown once, at creation.
 * `prefix` (the first characters of the key) lets people tell their keys apart in listings.
 */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch() * 1000)`),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (table) => [index("api_keys_tenant_idx").on(table.tenantId)],
);

// ---- Result cache (workers/cache, docs/cache.md)

/**
 * L3 of the result cache and the authoritative copy of each entry. `lookup_key` already folds in
 * the generations of every tag the entry depends on, so an invalidated entry is never looked up
 * again; the cron deletes rows once they have expired. `request` is the canonical request, kept
 * so the warming cron can re-execute the program after an invalidation.
 */
export const cacheEntries = sqliteTable(
  "cache_entries",
  {
    lookupKey: text("lookup_key").primaryKey(),
    namespace: text("namespace").notNull(),
    programKey: text("program_key").notNull(),
    /** JSON array of the tags the entry depends on. */
    tags: text("tags").notNull(),
    /** JSON of the ExecutionResult. */
    result: text("result").notNull(),
    /** JSON of the canonical request (files, stdin, args, limits, runtime, user tags). */
    request: text("request").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    createdAt: integer("created_at").notNull(),
    /** Fresh until then (ms); served stale after it only within a tenant's stale-while-revalidate window. */
    expiresAt: integer("expires_at").notNull(),
  },
  (table) => [
    index("cache_entries_program_idx").on(table.namespace, table.programKey),
    index("cache_entries_expires_idx").on(table.expiresAt),
  ],
);

/**
 * Invalidation generations. Bumping a tag's generation changes the lookup key of every entry that
 * depends on it. `scope` is a cache namespace (a tenant id or "shared") or "*" for global tags
 * (runtime@version). Generations only grow (they are bump timestamps), so a pruned row never
 * makes an old key reachable again.
 */
export const cacheGenerations = sqliteTable(
  "cache_generations",
  {
    scope: text("scope").notNull(),
    tag: text("tag").notNull(),
    generation: integer("generation").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (table) => [primaryKey({ columns: [table.scope, table.tag] })],
);

/** Cache counters per tenant and UTC day, flushed from isolate memory in batches (never per request). */
export const cacheStats = sqliteTable(
  "cache_stats",
  {
    tenantId: text("tenant_id").notNull(),
    /** UTC day, YYYY-MM-DD. */
    day: text("day").notNull(),
    /** e.g. "lookup", "hit:l1", "miss", "bypass:nondeterministic", "bytes:served". */
    metric: text("metric").notNull(),
    count: integer("count").notNull(),
  },
  (table) => [primaryKey({ columns: [table.tenantId, table.day, table.metric] })],
);

/**
 * Hit counts per program, for the warming cron's "hottest N". Counted in fixed windows: the hits
 * of the current window and of the one before, so a program that was hot last week does not stay
 * "hot" forever.
 */
export const cacheHits = sqliteTable(
  "cache_hits",
  {
    namespace: text("namespace").notNull(),
    programKey: text("program_key").notNull(),
    /** Start (ms) of the window `window_hits` counts. */
    windowStart: integer("window_start").notNull(),
    windowHits: integer("window_hits").notNull(),
    /** Hits of the window before `window_start`. */
    previousHits: integer("previous_hits").notNull().default(0),
    totalHits: integer("total_hits").notNull(),
    lastHitAt: integer("last_hit_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.namespace, table.programKey] }),
    index("cache_hits_window_idx").on(table.windowStart),
  ],
);

// ---- Regional pools (workers/routing, workers/db/topology.ts): the stored topology. What routing
// actually uses is derived from it by workers/routing/effective-topology.ts.

/** A region: where requests near it (by coordinates, country or continent) are served. */
export const regions = sqliteTable(
  "regions",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    latitude: real("latitude").notNull(),
    longitude: real("longitude").notNull(),
    /** Durable Object location hint for the region's pool; null lets Cloudflare choose. */
    locationHint: text("location_hint"),
    /** JSON array of ISO 3166-1 alpha-2 codes (uppercase). */
    countries: text("countries", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    /** JSON array of continent codes (uppercase, as request.cf.continent). */
    continents: text("continents", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    policy: text("policy").$type<LbPolicy>().notNull().default("least_connections"),
    sessionFailover: text("session_failover").$type<SessionFailover>().notNull().default("temporary"),
    affinityTtlSeconds: integer("affinity_ttl_seconds").notNull().default(1800),
    isDefault: integer("is_default", { mode: "boolean" }).notNull().default(false),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  // At most one default region, enforced by the database as well as by the admin API's batches.
  (table) => [uniqueIndex("regions_one_default_idx").on(table.isDefault).where(sql`"is_default" = 1`)],
);

/** A member of a region's pool: the builtin QuickJS runtime or a remote Piston server. */
export const backends = sqliteTable(
  "backends",
  {
    id: text("id").primaryKey(),
    regionId: text("region_id")
      .notNull()
      .references(() => regions.id),
    kind: text("kind").$type<BackendKind>().notNull(),
    /** Base URL of a piston backend (no trailing slash); null for builtin. */
    url: text("url"),
    weight: integer("weight").notNull().default(1),
    maxConcurrency: integer("max_concurrency").notNull(),
    minConcurrency: integer("min_concurrency").notNull().default(1),
    /** JSON array of language names this backend may serve; empty means all it reports. */
    languages: text("languages", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    /** JSON array of BackendRuntime: what the backend last reported from GET /api/v2/runtimes. */
    runtimes: text("runtimes", { mode: "json" }).$type<BackendRuntime[]>().notNull().default(sql`'[]'`),
    /** Reachability from the last probe or live call; null when never checked. */
    healthy: integer("healthy", { mode: "boolean" }),
    lastCheckedAt: integer("last_checked_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (table) => [
    index("backends_region_idx").on(table.regionId),
    // At most one builtin backend per region (the admin API checks first and answers 409).
    uniqueIndex("backends_one_builtin_per_region_idx").on(table.regionId).where(sql`"kind" = 'builtin'`),
  ],
);

// ---- Async jobs (workers/jobs, docs/jobs.md)

/**
 * One asynchronous execution (native job or Judge0 submission). `request` is the canonical
 * JobRequest; `request_hash` lets an Idempotency-Key replay tell "same body" from "different body".
 * Completion is idempotent: a row leaves `running` for a final state only once.
 */
export const jobs = sqliteTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    /** interactive | batch: which queue carries it. */
    lane: text("lane").notNull(),
    /** queued | running | completed | failed | cancelled */
    status: text("status").notNull(),
    /** native | judge0: which API created it (shapes its callback). */
    flavor: text("flavor").notNull(),
    request: text("request").notNull(),
    requestHash: text("request_hash").notNull(),
    idempotencyKey: text("idempotency_key"),
    callbackUrl: text("callback_url"),
    /** JSON JobResult once completed. */
    result: text("result"),
    /** Why it failed (dead-lettered, cancelled, ...). */
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    startedAt: integer("started_at"),
    completedAt: integer("completed_at"),
  },
  (table) => [
    index("jobs_tenant_created_idx").on(table.tenantId, table.createdAt),
    index("jobs_lane_status_idx").on(table.lane, table.status),
    uniqueIndex("jobs_idempotency_idx").on(table.tenantId, table.idempotencyKey).where(sql`"idempotency_key" IS NOT NULL`),
  ],
);

/** Every callback delivery attempt of a job, with its outcome. */
export const jobCallbacks = sqliteTable(
  "job_callbacks",
  {
    jobId: text("job_id").notNull(),
    attempt: integer("attempt").notNull(),
    at: integer("at").notNull(),
    url: text("url").notNull(),
    /** HTTP status the receiver answered; null when the request itself failed. */
    statusCode: integer("status_code"),
    error: text("error"),
    delivered: integer("delivered", { mode: "boolean" }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.jobId, table.attempt] })],
);

/**
 * Per-tenant key of the HMAC-SHA256 signature on job callbacks (docs/jobs.md), created on first use
 * (the anonymous dev tenant has no tenants row, so this is its own table). Stored as is: signing
 * needs the key itself.
 */
export const callbackSecrets = sqliteTable("callback_secrets", {
  tenantId: text("tenant_id").primaryKey(),
  secret: text("secret").notNull(),
  createdAt: integer("created_at").notNull(),
});

/** Messages that exhausted their retries, kept for inspection and replay by an admin. */
export const deadLetters = sqliteTable(
  "dead_letters",
  {
    id: text("id").primaryKey(),
    jobId: text("job_id").notNull(),
    tenantId: text("tenant_id").notNull(),
    lane: text("lane").notNull(),
    /** The queue message as JSON. */
    message: text("message").notNull(),
    reason: text("reason").notNull(),
    attempts: integer("attempts").notNull(),
    createdAt: integer("created_at").notNull(),
    replayedAt: integer("replayed_at"),
  },
  (table) => [index("dead_letters_created_idx").on(table.createdAt)],
);

// ---- Alerting (workers/alerting, docs/alerting.md)

/** An alert rule; the built-in ones are seeded on first read and cannot be deleted. */
export const alertRules = sqliteTable("alert_rules", {
  id: text("id").primaryKey(),
  description: text("description"),
  /** error_rate | p99_latency_ms | cache_hit_ratio | rps | open_breakers | critical_regions | queue_depth_interactive | queue_depth_batch */
  metric: text("metric").notNull(),
  /** > | >= | < | <= */
  comparator: text("comparator").notNull(),
  threshold: real("threshold").notNull(),
  windowMinutes: integer("window_minutes").notNull(),
  /** info | warning | critical */
  severity: text("severity").notNull(),
  cooldownMinutes: integer("cooldown_minutes").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  builtin: integer("builtin", { mode: "boolean" }).notNull().default(false),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * The evaluator's memory per rule. Written by the cron with a compare-and-set on `version`, so two
 * overlapping evaluations cannot both announce the same transition.
 */
export const alertStates = sqliteTable("alert_states", {
  ruleId: text("rule_id").primaryKey(),
  /** ok | firing */
  status: text("status").notNull(),
  since: integer("since"),
  pendingSince: integer("pending_since"),
  lastNotifiedAt: integer("last_notified_at"),
  lastValue: real("last_value"),
  lastEvaluatedAt: integer("last_evaluated_at"),
  version: integer("version").notNull().default(0),
});

/** Every notification (firing, reminder, resolved) with its webhook delivery outcome; pruned after 30 days. */
export const alertHistory = sqliteTable(
  "alert_history",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ruleId: text("rule_id").notNull(),
    /** firing | resolved */
    kind: text("kind").notNull(),
    repeat: integer("repeat", { mode: "boolean" }).notNull().default(false),
    /** condition_met | condition_cleared | rule_disabled | rule_deleted */
    reason: text("reason").notNull(),
    severity: text("severity").notNull(),
    metric: text("metric").notNull(),
    comparator: text("comparator").notNull(),
    threshold: real("threshold").notNull(),
    windowMinutes: integer("window_minutes").notNull(),
    value: real("value"),
    since: integer("since").notNull(),
    at: integer("at").notNull(),
    dedupKey: text("dedup_key").notNull(),
    /** delivered | failed | skipped (no ALERT_WEBHOOK_URL) */
    delivery: text("delivery").notNull(),
    statusCode: integer("status_code"),
    error: text("error"),
  },
  (table) => [index("alert_history_at_idx").on(table.at), index("alert_history_rule_at_idx").on(table.ruleId, table.at)],
);

// ---- Capacity planning (workers/capacity, docs/capacity.md)

/**
 * Hourly request totals kept for forecasting: the metrics store keeps per-minute rollups for only
 * 48 hours, and a daily-seasonal model needs two weeks. The cron folds each complete hour of
 * rollups into one row; rows older than 35 days are pruned.
 */
export const capacityHours = sqliteTable("capacity_hours", {
  /** Start of the UTC hour (ms). */
  hour: integer("hour").primaryKey(),
  /** Requests of the hour, all routes. */
  requests: integer("requests").notNull(),
  /** Sum of those requests' latency (ms): with `requests`, the hour's mean latency. */
  latencyMsSum: real("latency_ms_sum").notNull(),
  /** JSON object region id → executions served in that region. */
  regionRequests: text("region_requests", { mode: "json" }).$type<Record<string, number>>().notNull(),
  recordedAt: integer("recorded_at").notNull(),
});

export type Tenant = typeof tenants.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
export type RegionRow = typeof regions.$inferSelect;
export type BackendRow = typeof backends.$inferSelect;
