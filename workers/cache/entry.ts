import type { ExecutionResult } from "../sandbox/types";
import type { CacheableRequest } from "./cache-key";

/** Bump when the stored shape changes; entries of another version read as misses. */
export const ENTRY_FORMAT_VERSION = 1;

/** One cached result, as L1 and L2 store it (JSON) and L3 stores it (columns). */
export interface CacheEntry {
  v: typeof ENTRY_FORMAT_VERSION;
  lookupKey: string;
  programKey: string;
  namespace: string;
  /** The tags it depends on (tenant, runtime, user tags), for people and the warming cron. */
  tags: string[];
  createdAt: number;
  /** Fresh until then (ms since epoch). */
  expiresAt: number;
  result: ExecutionResult;
}

/** What the warming cron needs to run the program again: the request, and its user tags. */
export interface StoredRequest extends CacheableRequest {
  userTags: string[];
}

export function serializeEntry(entry: CacheEntry): string {
  return JSON.stringify(entry);
}

function isResult(value: unknown): value is ExecutionResult {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.status === "string" && typeof r.stdout === "string" && typeof r.stderr === "string" && typeof r.output === "string";
}

/**
 * Reads an entry stored at `lookupKey`; null for anything else (another format version, a
 * truncated or foreign value, an entry stored under a different key), which the caller treats as
 * a miss: a damaged copy must never become a wrong answer.
 */
export function parseEntry(text: string, lookupKey: string): CacheEntry | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const entry = value as Partial<CacheEntry>;
  if (entry.v !== ENTRY_FORMAT_VERSION || entry.lookupKey !== lookupKey) return null;
  if (typeof entry.programKey !== "string" || typeof entry.namespace !== "string" || !Array.isArray(entry.tags)) return null;
  if (typeof entry.createdAt !== "number" || typeof entry.expiresAt !== "number" || !isResult(entry.result)) return null;
  return entry as CacheEntry;
}

export function parseStoredRequest(text: string): StoredRequest | null {
  try {
    const value = JSON.parse(text) as Partial<StoredRequest>;
    if (typeof value.namespace !== "string" || typeof value.language !== "string" || typeof value.version !== "string") return null;
    if (!Array.isArray(value.files) || typeof value.stdin !== "string" || !Array.isArray(value.args) || typeof value.limits !== "object") return null;
    return { ...(value as StoredRequest), userTags: Array.isArray(value.userTags) ? value.userTags : [] };
  } catch {
    return null;
  }
}

const encoder = new TextEncoder();

/** UTF-8 size of a string, without allocating a copy for ASCII-only text. */
export function utf8Bytes(text: string): number {
  // Fast path: most results are ASCII, where bytes == UTF-16 code units.
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? text.length : encoder.encode(text).byteLength;
}
