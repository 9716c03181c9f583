// Dependency tags of cache entries, and who may invalidate which. Pure.
//
// Every entry depends on:
//   tenant:<namespace>          its namespace (a tenant id, or "shared")   scope: the namespace
//   runtime:<language>@<ver>    the runtime that produced it              scope: global ("*")
//   key:<program key>           the program itself (invalidation by key)  scope: the namespace
//   user tags from the request  e.g. "dataset:v3"                          scope: the namespace
// A generation is kept per (scope, tag); the lookup key folds in the generation of each.

/** The namespace tenants share when they opt in (tenant setting `cache_shared`). */
export const SHARED_NAMESPACE = "shared";
/** Scope of global tags (runtime@version); only the admin may bump them. */
export const GLOBAL_SCOPE = "*";
/** User tags per request: enough to name a few dependencies, few enough to keep keys cheap. */
export const MAX_USER_TAGS = 10;
/** Longest user tag, in characters. */
export const MAX_TAG_LENGTH = 128;
/** Keys per invalidation request; each key is one generation row. */
export const MAX_INVALIDATION_KEYS = 100;

const USER_TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/+=-]*$/;
const RESERVED_PREFIXES = ["tenant:", "runtime:", "key:"] as const;
const PROGRAM_KEY_PATTERN = /^[0-9a-f]{64}$/;

export interface ScopedTag {
  scope: string;
  tag: string;
}

/** The identity folded into lookup keys; "|" cannot occur in a scope. */
export function qualifiedTag({ scope, tag }: ScopedTag): string {
  return `${scope}|${tag}`;
}

/** Why a user tag is invalid, or null when it is fine. */
export function userTagProblem(tag: string): string | null {
  if (tag.length === 0 || tag.length > MAX_TAG_LENGTH) return `must be 1-${MAX_TAG_LENGTH} characters`;
  if (!USER_TAG_PATTERN.test(tag)) return "may contain only letters, digits and . _ : @ / + = - (starting with a letter or digit)";
  const reserved = RESERVED_PREFIXES.find((prefix) => tag.startsWith(prefix));
  if (reserved) return `must not start with the reserved prefix '${reserved}'`;
  return null;
}

export function runtimeTag(language: string, version: string): string {
  return `runtime:${language}@${version}`;
}

/** Everything an entry in `namespace` produced by `runtime` with `userTags` depends on. */
export function dependencyTags(
  namespace: string,
  runtime: { language: string; version: string },
  programKeyHex: string,
  userTags: readonly string[],
): ScopedTag[] {
  return [
    { scope: namespace, tag: `tenant:${namespace}` },
    { scope: GLOBAL_SCOPE, tag: runtimeTag(runtime.language, runtime.version) },
    { scope: namespace, tag: `key:${programKeyHex}` },
    ...[...new Set(userTags)].sort().map((tag) => ({ scope: namespace, tag })),
  ];
}

/** The tags to show for an entry (and store with it): without the implicit key tag. */
export function visibleTags(tags: readonly ScopedTag[]): string[] {
  return tags.filter(({ tag }) => !tag.startsWith("key:")).map(({ tag }) => tag);
}

export type InvalidationCaller =
  | { kind: "admin" }
  | { kind: "tenant"; tenantId: string; namespace: string };

export interface InvalidationInput {
  tags?: readonly string[];
  keys?: readonly string[];
  /** Admin only: the namespace whose tenant/user tags and keys are meant. */
  namespace?: string;
}

export type InvalidationPlan =
  | { ok: true; targets: ScopedTag[] }
  | { ok: false; status: 400 | 403; path: string; message: string };

/**
 * Turns an invalidation request into the (scope, tag) generations to bump. A tenant can only
 * reach its own namespace; `runtime:` tags are global and `tenant:shared` would drop every opted-in
 * tenant's entries, so both are the admin's.
 */
export function planInvalidation(input: InvalidationInput, caller: InvalidationCaller): InvalidationPlan {
  const fail = (status: 400 | 403, path: string, message: string): InvalidationPlan => ({ ok: false, status, path, message });
  const tags = input.tags ?? [];
  const keys = input.keys ?? [];
  if (tags.length === 0 && keys.length === 0) return fail(400, "tags", "send at least one of `tags` or `keys`");
  if (caller.kind === "tenant" && input.namespace !== undefined && input.namespace !== caller.namespace) {
    return fail(403, "namespace", "an API key can only invalidate its own namespace");
  }
  const namespace = caller.kind === "tenant" ? caller.namespace : input.namespace;
  const targets = new Map<string, ScopedTag>();
  const add = (target: ScopedTag) => targets.set(qualifiedTag(target), target);

  for (const [index, tag] of tags.entries()) {
    const path = `tags[${index}]`;
    if (tag.startsWith("runtime:")) {
      if (caller.kind !== "admin") return fail(403, path, "runtime tags are global: only the admin can invalidate them");
      if (!/^runtime:[a-z0-9._+-]+@[0-9A-Za-z._+-]+$/.test(tag)) return fail(400, path, "must look like runtime:<language>@<version>");
      add({ scope: GLOBAL_SCOPE, tag });
    } else if (tag.startsWith("tenant:")) {
      const target = tag.slice("tenant:".length);
      if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(target)) return fail(400, path, "must look like tenant:<tenant id or shared>");
      if (caller.kind === "tenant" && target !== caller.namespace) return fail(403, path, "an API key can only invalidate its own namespace");
      if (caller.kind === "tenant" && target === SHARED_NAMESPACE) {
        return fail(403, path, "tenant:shared holds every opted-in tenant's entries: only the admin can invalidate it");
      }
      add({ scope: target, tag });
    } else {
      const problem = userTagProblem(tag);
      if (problem) return fail(400, path, problem);
      if (namespace === undefined) return fail(400, "namespace", "the admin must name the `namespace` a user tag belongs to");
      add({ scope: namespace, tag });
    }
  }
  if (keys.length > MAX_INVALIDATION_KEYS) return fail(400, "keys", `at most ${MAX_INVALIDATION_KEYS} keys per request`);
  for (const [index, key] of keys.entries()) {
    if (!PROGRAM_KEY_PATTERN.test(key)) return fail(400, `keys[${index}]`, "must be a program key (64 lowercase hex digits, as in the response's cache.key)");
    if (namespace === undefined) return fail(400, "namespace", "the admin must name the `namespace` a key belongs to");
    add({ scope: namespace, tag: `key:${key}` });
  }
  return { ok: true, targets: [...targets.values()] };
}
