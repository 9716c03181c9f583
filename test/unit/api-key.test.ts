import { describe, expect, it } from "vitest";
import { extractApiKey, generateApiKey, hashApiKey, looksLikeApiKey, timingSafeEqual } from "../../workers/auth/api-key";

describe("API keys", () => {
  it("generates distinct well-formed keys", () => {
    const keys = new Set(Array.from({ length: 200 }, generateApiKey));
    expect(keys.size).toBe(200);
    for (const key of keys) expect(looksLikeApiKey(key)).toBe(true);
  });

  it("hashes with SHA-256 hex", async () => {
    expect(await hashApiKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("reads Bearer and X-API-Key headers", () => {
    expect(extractApiKey(new Headers({ authorization: "Bearer ebx_k" }))).toBe("ebx_k");
    expect(extractApiKey(new Headers({ authorization: "bearer   ebx_k  " }))).toBe("ebx_k");
    expect(extractApiKey(new Headers({ "x-api-key": "ebx_k" }))).toBe("ebx_k");
    expect(extractApiKey(new Headers({ authorization: "Basic Zm9vOmJhcg==" }))).toBeNull();
    expect(extractApiKey(new Headers())).toBeNull();
  });

  it("compares secrets by content, whatever their lengths", () => {
    expect(timingSafeEqual("secret", "secret")).toBe(true);
    expect(timingSafeEqual("secret", "secreT")).toBe(false);
    expect(timingSafeEqual("secret", "secret-longer")).toBe(false);
    expect(timingSafeEqual("", "")).toBe(true);
  });
});
