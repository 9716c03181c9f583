import { z } from "zod";
import { DEFAULT_MAX_CONCURRENCY, implicitBuiltinId } from "../../routing/effective-topology";
import { LB_POLICIES, SESSION_FAILOVER_MODES, type BackendKind, type LbPolicy, type SessionFailover } from "../../routing/types";
import type { FieldError } from "../errors";

// `/v1/admin/regions` and `/v1/admin/backends` bodies (docs/api.md). Field names are camelCase,
// like every other native and admin body, and match Region / Backend in workers/routing/types.ts.
// Objects are strict: an unknown field (say `location_hint`) is a 400 naming that field, never
// silently ignored (the route reports each unknown key at its own path).

/** Cloudflare's Durable Object location hints. */
export const LOCATION_HINTS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
/** Continent codes as in request.cf.continent. */
export const CONTINENTS = ["AF", "AN", "AS", "EU", "NA", "OC", "SA"] as const;
export const BACKEND_KINDS = ["builtin", "piston"] as const satisfies readonly BackendKind[];

export const DEFAULT_AFFINITY_TTL_SECONDS = 1800;
export const MAX_AFFINITY_TTL_SECONDS = 604_800;

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const LANGUAGE_PATTERN = /^[a-z0-9][a-z0-9+#._-]{0,63}$/;

const dedupe = <T>(values: T[]): T[] => [...new Set(values)];

const id = z
  .string({ error: "is required as a string" })
  .regex(ID_PATTERN, "must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit");
const name = z.string({ error: "is required as a string" }).trim().min(1, "must not be empty").max(200, "must be at most 200 characters");
const boolean = z.boolean({ error: "must be a boolean" });
const int = (min: number, max: number, what: string) =>
  z
    .number({ error: `must be a number (${what})` })
    .int("must be a whole number")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

// ---- Regions

const regionFields = {
  name,
  latitude: z.number({ error: "must be a number (degrees)" }).min(-90, "must be between -90 and 90").max(90, "must be between -90 and 90"),
  longitude: z
    .number({ error: "must be a number (degrees)" })
    .min(-180, "must be between -180 and 180")
    .max(180, "must be between -180 and 180"),
  locationHint: z
    .enum(LOCATION_HINTS, { error: `must be one of ${LOCATION_HINTS.join(", ")}, or null` })
    .nullable()
    .describe("Durable Object location hint of the region's pool; null lets Cloudflare choose"),
  countries: z
    .array(
      z
        .string({ error: "must be a string" })
        .regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 country code")
        .transform((code) => code.toUpperCase()),
      { error: "must be an array of country codes" },
    )
    .max(250, "must contain at most 250 countries")
    .transform(dedupe)
    .describe("ISO 3166-1 alpha-2 codes (case-insensitive; stored uppercase)"),
  continents: z
    .array(
      z
        .string({ error: "must be a string" })
        .transform((code) => code.toUpperCase())
        .pipe(z.enum(CONTINENTS, { error: `must be one of ${CONTINENTS.join(", ")}` })),
      { error: "must be an array of continent codes" },
    )
    .max(CONTINENTS.length, `must contain at most ${CONTINENTS.length} continents`)
    .transform(dedupe),
  policy: z.enum(LB_POLICIES as [LbPolicy, ...LbPolicy[]], { error: `must be one of ${LB_POLICIES.join(", ")}` }),
  sessionFailover: z.enum(SESSION_FAILOVER_MODES as [SessionFailover, ...SessionFailover[]], {
    error: `must be one of ${SESSION_FAILOVER_MODES.join(", ")}`,
  }),
  affinityTtlSeconds: int(1, MAX_AFFINITY_TTL_SECONDS, "seconds"),
  isDefault: boolean.describe("making a region the default unsets the previous default"),
  enabled: boolean,
};

export const createRegionSchema = z
  .object({
    id,
    name: regionFields.name,
    latitude: regionFields.latitude,
    longitude: regionFields.longitude,
    locationHint: regionFields.locationHint.default(null),
    countries: regionFields.countries.default([]),
    continents: regionFields.continents.default([]),
    policy: regionFields.policy.default("least_connections"),
    sessionFailover: regionFields.sessionFailover.default("temporary"),
    affinityTtlSeconds: regionFields.affinityTtlSeconds.default(DEFAULT_AFFINITY_TTL_SECONDS),
    isDefault: regionFields.isDefault.default(false),
    enabled: regionFields.enabled.default(true),
  })
  .strict();

export const updateRegionSchema = z
  .object({
    name: regionFields.name.optional(),
    latitude: regionFields.latitude.optional(),
    longitude: regionFields.longitude.optional(),
    locationHint: regionFields.locationHint.optional(),
    countries: regionFields.countries.optional(),
    continents: regionFields.continents.optional(),
    policy: regionFields.policy.optional(),
    sessionFailover: regionFields.sessionFailover.optional(),
    affinityTtlSeconds: regionFields.affinityTtlSeconds.optional(),
    isDefault: regionFields.isDefault.optional(),
    enabled: regionFields.enabled.optional(),
  })
  .strict();

// ---- Backends

/**
 * A piston backend's base URL: http(s), no credentials, query or fragment; trailing slashes are
 * dropped (".../api/v2" is appended by the client, so it must not be part of it).
 */
export function normalizeBackendUrl(input: string): { ok: true; url: string } | { ok: false; message: string } {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, message: "must be an absolute http(s) URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, message: "must be an http or https URL" };
  if (url.username !== "" || url.password !== "") return { ok: false, message: "must not contain credentials" };
  if (url.search !== "" || input.includes("?")) return { ok: false, message: "must not have a query string" };
  if (url.hash !== "" || input.includes("#")) return { ok: false, message: "must not have a fragment" };
  const path = url.pathname.replace(/\/+$/, "");
  if (/\/api\/v2$/i.test(path)) return { ok: false, message: "must be the server's base URL (without /api/v2, which is appended)" };
  return { ok: true, url: `${url.origin}${path}` };
}

const backendUrl = z
  .string({ error: "must be a URL string, or null" })
  .max(2048, "must be at most 2048 characters")
  .transform((input, ctx) => {
    const result = normalizeBackendUrl(input);
    if (result.ok) return result.url;
    ctx.addIssue({ code: "custom", message: result.message });
    return z.NEVER;
  })
  .nullable()
  .describe("piston: the server's base URL (\"/api/v2\" is appended); builtin: null");

const backendFields = {
  regionId: z.string({ error: "is required as a string" }).min(1, "must not be empty"),
  kind: z.enum(BACKEND_KINDS, { error: `must be one of ${BACKEND_KINDS.join(", ")}` }),
  url: backendUrl,
  weight: int(1, 1000, "relative share of traffic"),
  maxConcurrency: int(1, 10_000, "simultaneous executions"),
  minConcurrency: int(1, 10_000, "simultaneous executions"),
  languages: z
    .array(z.string({ error: "must be a string" }).regex(LANGUAGE_PATTERN, "must be a lowercase language name"), {
      error: "must be an array of language names",
    })
    .max(200, "must contain at most 200 languages")
    .transform(dedupe)
    .describe("languages this backend may serve; empty means every language it reports"),
  enabled: boolean,
};

export const createBackendSchema = z
  .object({
    id,
    regionId: backendFields.regionId,
    kind: backendFields.kind,
    url: backendFields.url.default(null),
    weight: backendFields.weight.default(1),
    maxConcurrency: backendFields.maxConcurrency
      .optional()
      .describe(`default ${DEFAULT_MAX_CONCURRENCY.piston} for piston, ${DEFAULT_MAX_CONCURRENCY.builtin} for builtin`),
    minConcurrency: backendFields.minConcurrency.default(1),
    languages: backendFields.languages.default([]),
    enabled: backendFields.enabled.default(true),
  })
  .strict();

export const updateBackendSchema = z
  .object({
    regionId: backendFields.regionId.optional(),
    kind: backendFields.kind.optional(),
    url: backendFields.url.optional(),
    weight: backendFields.weight.optional(),
    maxConcurrency: backendFields.maxConcurrency.optional(),
    minConcurrency: backendFields.minConcurrency.optional(),
    languages: backendFields.languages.optional(),
    enabled: backendFields.enabled.optional(),
  })
  .strict();

/**
 * The rules that involve several fields, checked on a new backend and on the merged result of a
 * PATCH: a piston backend needs a URL, a builtin one has none; minConcurrency ≤ maxConcurrency;
 * `builtin-<region>` ids belong to the builtin backend of that region (the id the implicit one
 * gets, so an explicit one can take its place but nothing else can collide with it).
 */
export function backendRuleErrors(backend: {
  id: string;
  regionId: string;
  kind: BackendKind;
  url: string | null;
  minConcurrency: number;
  maxConcurrency: number;
}): FieldError[] {
  const errors: FieldError[] = [];
  if (backend.id.startsWith("builtin-") && !(backend.kind === "builtin" && backend.id === implicitBuiltinId(backend.regionId))) {
    errors.push({
      path: "id",
      message: `id '${backend.id}' is reserved: builtin-<regionId> names the builtin backend of that region`,
    });
  }
  if (backend.kind === "piston" && backend.url === null) {
    errors.push({ path: "url", message: "url is required for a piston backend" });
  }
  if (backend.kind === "builtin" && backend.url !== null) {
    errors.push({ path: "url", message: "url must be null for a builtin backend (it runs inside the Worker)" });
  }
  if (backend.minConcurrency > backend.maxConcurrency) {
    errors.push({
      path: "minConcurrency",
      message: `minConcurrency must not exceed maxConcurrency (${backend.maxConcurrency})`,
    });
  }
  return errors;
}

// ---- Responses

export const regionSchema = z.object({
  id: z.string(),
  name: z.string(),
  latitude: z.number(),
  longitude: z.number(),
  locationHint: z.enum(LOCATION_HINTS).nullable(),
  countries: z.array(z.string()),
  continents: z.array(z.string()),
  policy: z.enum(LB_POLICIES as [LbPolicy, ...LbPolicy[]]),
  sessionFailover: z.enum(SESSION_FAILOVER_MODES as [SessionFailover, ...SessionFailover[]]),
  affinityTtlSeconds: z.number().int(),
  isDefault: z.boolean(),
  enabled: z.boolean(),
  createdAt: z.string().describe("ISO 8601"),
  updatedAt: z.string().describe("ISO 8601"),
});

export const backendSchema = z.object({
  id: z.string(),
  regionId: z.string(),
  kind: z.enum(BACKEND_KINDS),
  url: z.string().nullable(),
  weight: z.number().int(),
  maxConcurrency: z.number().int(),
  minConcurrency: z.number().int(),
  languages: z.array(z.string()),
  enabled: z.boolean(),
  runtimes: z
    .array(z.object({ language: z.string(), version: z.string(), aliases: z.array(z.string()), runtime: z.string().optional() }))
    .describe("what the backend last reported from GET /api/v2/runtimes"),
  healthy: z.boolean().nullable().describe("from the last probe or live call; null until checked"),
  lastCheckedAt: z.string().nullable().describe("ISO 8601"),
  createdAt: z.string().describe("ISO 8601"),
  updatedAt: z.string().describe("ISO 8601"),
});

export const deletedRegionSchema = regionSchema.extend({
  deletedBackends: z.array(z.string()).describe("ids of the backends deleted with it (?cascade=true)"),
});
