import { describe, expect, it } from "vitest";
import { dependencyTags, MAX_TAG_LENGTH, planInvalidation, qualifiedTag, userTagProblem, visibleTags } from "../../workers/cache/tags";

const KEY = "a".repeat(64);

describe("user tags", () => {
  it.each(["dataset:v3", "v1", "team/alpha", "model@2024-01", "a.b_c+d=e"])("accepts %s", (tag) => {
    expect(userTagProblem(tag)).toBeNull();
  });
  it.each(["", " x", "-x", "a b", "a,b", "tenant:acme", "runtime:javascript@1", "key:abc", "é", "x".repeat(MAX_TAG_LENGTH + 1)])(
    "rejects %j",
    (tag) => {
      expect(userTagProblem(tag)).not.toBeNull();
    },
  );
});

describe("dependency tags", () => {
  it("names the namespace, the runtime, the program and the user tags (deduplicated, sorted)", () => {
    const tags = dependencyTags("acme", { language: "javascript", version: "1.2.3" }, KEY, ["b", "a", "b"]);
    expect(tags).toEqual([
      { scope: "acme", tag: "tenant:acme" },
      { scope: "*", tag: "runtime:javascript@1.2.3" },
      { scope: "acme", tag: `key:${KEY}` },
      { scope: "acme", tag: "a" },
      { scope: "acme", tag: "b" },
    ]);
    expect(visibleTags(tags)).toEqual(["tenant:acme", "runtime:javascript@1.2.3", "a", "b"]);
    expect(qualifiedTag(tags[1])).toBe("*|runtime:javascript@1.2.3");
  });
});

describe("who may invalidate what", () => {
  const acme = { kind: "tenant" as const, tenantId: "acme", namespace: "acme" };
  const sharedTenant = { kind: "tenant" as const, tenantId: "beta", namespace: "shared" };
  const admin = { kind: "admin" as const };

  it("scopes a tenant's user tags and keys to its own namespace", () => {
    expect(planInvalidation({ tags: ["dataset:v3", "tenant:acme"], keys: [KEY] }, acme)).toEqual({
      ok: true,
      targets: [
        { scope: "acme", tag: "dataset:v3" },
        { scope: "acme", tag: "tenant:acme" },
        { scope: "acme", tag: `key:${KEY}` },
      ],
    });
  });

  it("refuses a tenant other namespaces, global runtime tags and the whole shared namespace", () => {
    expect(planInvalidation({ tags: ["tenant:other"] }, acme)).toMatchObject({ ok: false, status: 403, path: "tags[0]" });
    expect(planInvalidation({ tags: ["x"], namespace: "other" }, acme)).toMatchObject({ ok: false, status: 403 });
    expect(planInvalidation({ tags: ["runtime:javascript@1.0.0"] }, acme)).toMatchObject({ ok: false, status: 403 });
    expect(planInvalidation({ tags: ["tenant:shared"] }, sharedTenant)).toMatchObject({ ok: false, status: 403 });
    // A tenant in the shared namespace may still drop shared entries by its user tags and keys.
    expect(planInvalidation({ tags: ["dataset:v3"], keys: [KEY] }, sharedTenant)).toMatchObject({
      ok: true,
      targets: [{ scope: "shared", tag: "dataset:v3" }, { scope: "shared", tag: `key:${KEY}` }],
    });
  });

  it("lets the admin bump global tags and any namespace's tags", () => {
    expect(planInvalidation({ tags: ["runtime:javascript@1.0.0", "tenant:acme", "tenant:shared"] }, admin)).toEqual({
      ok: true,
      targets: [
        { scope: "*", tag: "runtime:javascript@1.0.0" },
        { scope: "acme", tag: "tenant:acme" },
        { scope: "shared", tag: "tenant:shared" },
      ],
    });
    expect(planInvalidation({ tags: ["dataset:v3"], keys: [KEY], namespace: "acme" }, admin)).toMatchObject({ ok: true });
    expect(planInvalidation({ tags: ["dataset:v3"] }, admin)).toMatchObject({ ok: false, status: 400, path: "namespace" });
  });

  it("rejects malformed input with the path of the bad field", () => {
    expect(planInvalidation({}, acme)).toMatchObject({ ok: false, status: 400 });
    expect(planInvalidation({ tags: [], keys: [] }, acme)).toMatchObject({ ok: false, status: 400 });
    expect(planInvalidation({ keys: ["not-a-key"] }, acme)).toMatchObject({ ok: false, status: 400, path: "keys[0]" });
    expect(planInvalidation({ tags: ["ok", "bad tag"] }, acme)).toMatchObject({ ok: false, status: 400, path: "tags[1]" });
    expect(planInvalidation({ tags: ["runtime:"] }, admin)).toMatchObject({ ok: false, status: 400 });
    expect(planInvalidation({ tags: ["tenant:UPPER"] }, admin)).toMatchObject({ ok: false, status: 400 });
  });

  it("bumps a tag named twice once", () => {
    const plan = planInvalidation({ tags: ["x", "x"], keys: [KEY, KEY] }, acme);
    expect(plan.ok && plan.targets.length).toBe(2);
  });
});
