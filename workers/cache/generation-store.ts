import { GLOBAL_SCOPE, qualifiedTag, SHARED_NAMESPACE, type ScopedTag } from "./tags";

/** A tenant's cache settings (columns of `tenants`); tenants without a row get the defaults. */
export interface TenantCacheSettings {
  shared: boolean;
  swrSeconds: number;
}

export const DEFAULT_TENANT_CACHE_SETTINGS: TenantCacheSettings = { shared: false, swrSeconds: 0 };

export interface TenantSnapshot {
  settings: TenantCacheSettings;
  /** Generation per qualified tag (scope|tag); a tag without a row is at generation 0. */
  generations: Map<string, number>;
}

export interface BumpedTag extends ScopedTag {
  generation: number;
}

/** Where generations live: D1's primary, which is strongly consistent (no read replicas are used). */
export interface GenerationStore {
  /** A tenant's settings and every generation its lookups can need (global, its own, shared). */
  loadForTenant(tenantId: string): Promise<TenantSnapshot>;
  /** The generations of some scopes, read now (the warming cron; never cached). */
  loadScopes(scopes: readonly string[]): Promise<Map<string, number>>;
  /** Bumps each tag's generation in one atomic batch; returns the new generations. */
  bump(targets: readonly ScopedTag[], now: number): Promise<BumpedTag[]>;
  /** Deletes rows last bumped before `before` (ms); returns how many. */
  pruneBefore(before: number): Promise<number>;
}

interface GenerationRow {
  scope: string;
  tag: string;
  generation: number;
}

function toMap(rows: readonly GenerationRow[]): Map<string, number> {
  return new Map(rows.map((row) => [qualifiedTag(row), row.generation]));
}

export class D1GenerationStore implements GenerationStore {
  constructor(private readonly d1: D1Database) {}

  async loadForTenant(tenantId: string): Promise<TenantSnapshot> {
    // One round trip: the settings, and the generations of the scopes this tenant's keys use. The
    // shared scope is read only for a tenant that has opted in.
    const [settings, generations] = await this.d1.batch([
      this.d1.prepare("SELECT cache_shared AS shared, cache_swr_seconds AS swrSeconds FROM tenants WHERE id = ?1").bind(tenantId),
      this.d1
        .prepare(
          "SELECT scope, tag, generation FROM cache_generations WHERE scope = ?2 OR scope = ?1 " +
            "OR (scope = ?3 AND EXISTS (SELECT 1 FROM tenants WHERE id = ?1 AND cache_shared = 1))",
        )
        .bind(tenantId, GLOBAL_SCOPE, SHARED_NAMESPACE),
    ]);
    const row = (settings.results as Array<{ shared: number; swrSeconds: number }>)[0];
    return {
      settings: row ? { shared: row.shared === 1, swrSeconds: row.swrSeconds } : DEFAULT_TENANT_CACHE_SETTINGS,
      generations: toMap(generations.results as GenerationRow[]),
    };
  }

  async loadScopes(scopes: readonly string[]): Promise<Map<string, number>> {
    const unique = [...new Set(scopes)];
    if (unique.length === 0) return new Map();
    // D1 binds at most 100 parameters per statement.
    const statements: D1PreparedStatement[] = [];
    for (let i = 0; i < unique.length; i += 90) {
      const part = unique.slice(i, i + 90);
      statements.push(
        this.d1
          .prepare(`SELECT scope, tag, generation FROM cache_generations WHERE scope IN (${part.map((_, index) => `?${index + 1}`).join(", ")})`)
          .bind(...part),
      );
    }
    const results = await this.d1.batch<GenerationRow>(statements);
    return toMap(results.flatMap((result) => result.results));
  }

  async bump(targets: readonly ScopedTag[], now: number): Promise<BumpedTag[]> {
    if (targets.length === 0) return [];
    // A generation is the time of its bump (or one more than the last, if the clock did not move):
    // it only ever grows, so a value is never reused, even after its row was pruned.
    const statement = this.d1.prepare(
      "INSERT INTO cache_generations (scope, tag, generation, updated_at) VALUES (?1, ?2, ?3, ?3) " +
        "ON CONFLICT (scope, tag) DO UPDATE SET generation = max(cache_generations.generation + 1, excluded.generation), " +
        "updated_at = excluded.updated_at RETURNING scope, tag, generation",
    );
    const results = await this.d1.batch<GenerationRow>(targets.map(({ scope, tag }) => statement.bind(scope, tag, now)));
    return results.map((result) => {
      const row = result.results[0];
      return { scope: row.scope, tag: row.tag, generation: row.generation };
    });
  }

  async pruneBefore(before: number): Promise<number> {
    const result = await this.d1.prepare("DELETE FROM cache_generations WHERE updated_at < ?1").bind(before).run();
    return result.meta.changes ?? 0;
  }
}
