import { and, desc, eq, lt } from "drizzle-orm";
import { openDatabase, type Database } from "../../db/client";
import { cacheEntries } from "../../db/schema";
import { ENTRY_FORMAT_VERSION, parseEntry, parseStoredRequest, type CacheEntry, type StoredRequest } from "../entry";

interface EntryColumns {
  lookupKey: string;
  programKey: string;
  namespace: string;
  tags: string;
  result: string;
  createdAt: number;
  expiresAt: number;
}

/** Reassembled through the same parser as L1/L2, so a damaged row is a miss, never an answer. */
function toEntry(row: EntryColumns): CacheEntry | null {
  const key = JSON.stringify(row.lookupKey);
  return parseEntry(
    `{"v":${ENTRY_FORMAT_VERSION},"lookupKey":${key},"programKey":${JSON.stringify(row.programKey)},` +
      `"namespace":${JSON.stringify(row.namespace)},"tags":${row.tags},"createdAt":${row.createdAt},"expiresAt":${row.expiresAt},"result":${row.result}}`,
    row.lookupKey,
  );
}

export interface L3Row {
  entry: CacheEntry;
  request: StoredRequest | null;
}

/**
 * L3: the `cache_entries` table in D1. Durable and strongly consistent (the primary; no read
 * replicas), the authoritative copy; it also keeps the canonical request for re-execution.
 */
export class D1Level {
  private readonly db: Database;

  constructor(d1: D1Database) {
    this.db = openDatabase(d1);
  }

  async get(lookupKey: string): Promise<CacheEntry | null> {
    const rows = await this.db
      .select({
        lookupKey: cacheEntries.lookupKey,
        programKey: cacheEntries.programKey,
        namespace: cacheEntries.namespace,
        tags: cacheEntries.tags,
        result: cacheEntries.result,
        createdAt: cacheEntries.createdAt,
        expiresAt: cacheEntries.expiresAt,
      })
      .from(cacheEntries)
      .where(eq(cacheEntries.lookupKey, lookupKey))
      .limit(1);
    return rows[0] ? toEntry(rows[0]) : null;
  }

  async put(entry: CacheEntry, resultJson: string, requestJson: string, sizeBytes: number): Promise<void> {
    const values = {
      lookupKey: entry.lookupKey,
      namespace: entry.namespace,
      programKey: entry.programKey,
      tags: JSON.stringify(entry.tags),
      result: resultJson,
      request: requestJson,
      sizeBytes,
      createdAt: entry.createdAt,
      expiresAt: entry.expiresAt,
    };
    const { lookupKey: _key, ...update } = values;
    await this.db.insert(cacheEntries).values(values).onConflictDoUpdate({ target: cacheEntries.lookupKey, set: update });
  }

  /** The newest entry of a program in a namespace, with its stored request (for the warming cron). */
  async newestOf(namespace: string, programKey: string): Promise<L3Row | null> {
    const rows = await this.db
      .select()
      .from(cacheEntries)
      .where(and(eq(cacheEntries.namespace, namespace), eq(cacheEntries.programKey, programKey)))
      .orderBy(desc(cacheEntries.createdAt))
      .limit(1);
    const row = rows[0];
    const entry = row ? toEntry(row) : null;
    return entry ? { entry, request: parseStoredRequest(row.request) } : null;
  }

  /** Deletes rows that expired before `before` (ms); returns how many. */
  async deleteExpired(before: number): Promise<number> {
    const deleted = await this.db.delete(cacheEntries).where(lt(cacheEntries.expiresAt, before)).returning({ key: cacheEntries.lookupKey });
    return deleted.length;
  }
}
