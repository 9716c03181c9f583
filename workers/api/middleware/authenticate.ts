import type { MiddlewareHandler } from "hono";
import { extractApiKey, hashApiKey } from "../../auth/api-key";
import { findActiveKeyByHash, type AuthenticatedKey } from "../../db/api-keys";
import { openDatabase } from "../../db/client";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors";

/**
 * Verified keys are remembered in isolate memory so the hot path does not read D1 on every request.
 * A revoked key or a disabled tenant therefore takes effect within this bound (documented in the README).
 */
export const KEY_CACHE_TTL_MS = 30_000;
/** Unknown keys are remembered too (briefly), so a flood of bad keys cannot hammer D1. */
const UNKNOWN_KEY_CACHE_TTL_MS = 5_000;
const KEY_CACHE_MAX_ENTRIES = 10_000;

const keyCache = new Map<string, { value: AuthenticatedKey | null; expiresAt: number }>();

async function lookUpKey(d1: D1Database, key: string, now: number): Promise<AuthenticatedKey | null> {
  const keyHash = await hashApiKey(key);
  const cached = keyCache.get(keyHash);
  if (cached && cached.expiresAt > now) return cached.value;
  const value = await findActiveKeyByHash(openDatabase(d1), keyHash);
  if (keyCache.size >= KEY_CACHE_MAX_ENTRIES) keyCache.clear();
  keyCache.set(keyHash, { value, expiresAt: now + (value ? KEY_CACHE_TTL_MS : UNKNOWN_KEY_CACHE_TTL_MS) });
  return value;
}

/** Test hook: forget every cached key decision. */
export function clearKeyCache(): void {
  keyCache.clear();
}

/**
 * Establishes the tenant: a valid API key (Bearer, X-API-Key, or a header in `alsoFrom`), or — outside production, when
 * configured — the anonymous dev tenant for requests without a key. 401 for a missing or invalid
 * key, 403 for a disabled tenant.
 */
export function authenticate(options: { alsoFrom?: readonly string[] } = {}): MiddlewareHandler<AppEnv> {
  return async function authenticateMiddleware(c, next) {
    // `alsoFrom`: further headers that carry the key on some routes (Judge0's X-Auth-Token).
    const key = extractApiKey(c.req.raw.headers) ?? (options.alsoFrom ?? []).map((name) => c.req.header(name)?.trim()).find(Boolean) ?? null;
    const config = c.get("config");
    if (key === null) {
      if (!config.anonymousTenant) {
        throw new ApiError("unauthorized", "an API key is required: send `Authorization: Bearer <key>` or `X-API-Key: <key>`", [], {
          "WWW-Authenticate": 'Bearer realm="edgebox"',
        });
      }
      c.set("tenant", { id: config.anonymousTenant, via: "anonymous", keyId: null });
      return next();
    }
    const found = await lookUpKey(c.env.DB, key, Date.now());
    if (!found) {
      throw new ApiError("unauthorized", "the API key is invalid or has been revoked", [], {
        "WWW-Authenticate": 'Bearer realm="edgebox", error="invalid_token"',
      });
    }
    if (found.tenant.disabled) {
      throw new ApiError("forbidden", `tenant '${found.tenant.id}' is disabled`);
    }
    c.set("tenant", { id: found.tenant.id, via: "api_key", keyId: found.keyId });
    return next();
  };
}
