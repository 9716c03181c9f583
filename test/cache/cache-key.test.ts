import { describe, expect, it } from "vitest";
import { canonicalEncoding, lookupKey, programKey, type CacheableRequest } from "../../workers/cache/cache-key";
import { seededRandom } from "../../workers/cache/zipf";
import { LIMIT_DEFAULTS } from "../../workers/sandbox";
import { postJson } from "../helpers/http";

function request(overrides: Partial<CacheableRequest> = {}): CacheableRequest {
  return {
    namespace: "acme",
    language: "javascript",
    version: "1.0.0",
    files: [
      { name: "main.js", content: "console.log(require('./a') + require('./b'))" },
      { name: "a.js", content: "module.exports = 1" },
      { name: "b.js", content: "module.exports = 2" },
      { name: "lib/c.js", content: "module.exports = 3" },
    ],
    stdin: "",
    args: [],
    limits: { ...LIMIT_DEFAULTS },
    ...overrides,
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe("program key", () => {
  it("ignores the order of the files after the entry (200 generated orders)", async () => {
    const base = request();
    const expected = await programKey(base);
    const random = seededRandom(7);
    for (let i = 0; i < 200; i++) {
      const [entry, ...rest] = base.files;
      expect(await programKey({ ...base, files: [entry, ...shuffled(rest, random)] })).toBe(expected);
    }
  });

  it("depends on which file is the entry", async () => {
    const base = request();
    const [entry, other, ...rest] = base.files;
    expect(await programKey({ ...base, files: [other, entry, ...rest] })).not.toBe(await programKey(base));
  });

  it("changes with every input that can change the result", async () => {
    const base = request();
    const key = await programKey(base);
    const variants: Array<Partial<CacheableRequest>> = [
      { namespace: "other" },
      { language: "typescript" },
      { version: "1.0.1" }, // a runtime upgrade is a new key: old entries are never read again
      { stdin: "x" },
      { args: ["x"] },
      { args: ["a", "b"] },
      { args: ["a b"] },
      { files: [{ name: "main.js", content: "console.log(1)" }] },
      { files: [...base.files.slice(0, 3), { name: "lib/d.js", content: "module.exports = 3" }] },
      { limits: { ...base.limits, cpuTimeMs: base.limits.cpuTimeMs - 1 } },
      { limits: { ...base.limits, wallTimeMs: base.limits.wallTimeMs - 1 } },
      { limits: { ...base.limits, memoryBytes: base.limits.memoryBytes - 1 } },
      { limits: { ...base.limits, maxStdoutBytes: base.limits.maxStdoutBytes - 1 } },
      { limits: { ...base.limits, maxStderrBytes: base.limits.maxStderrBytes - 1 } },
    ];
    const keys = await Promise.all(variants.map((variant) => programKey({ ...base, ...variant })));
    for (const variantKey of keys) expect(variantKey).not.toBe(key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("does not confuse field boundaries (args vs stdin, file name vs content)", async () => {
    const a = await programKey(request({ args: ["x", "y"], stdin: "" }));
    const b = await programKey(request({ args: ["x"], stdin: "y" }));
    const c = await programKey(request({ args: ["x,y"] }));
    expect(new Set([a, b, c]).size).toBe(3);
    const d = await programKey(request({ files: [{ name: "main.js", content: "ab" }, { name: "x", content: "" }] }));
    const e = await programKey(request({ files: [{ name: "main.js", content: "a" }, { name: "bx", content: "" }] }));
    expect(d).not.toBe(e);
  });

  it("keeps Unicode spellings apart: NFC and NFD text can print different things", async () => {
    const composed = "console.log('\u00e9'.length)"; // é as one code point
    const decomposed = "console.log('e\u0301'.length)"; // e + combining acute
    expect(composed.normalize("NFC")).toBe(decomposed.normalize("NFC"));
    const keyOf = (content: string) => programKey(request({ files: [{ name: "main.js", content }] }));
    expect(await keyOf(composed)).not.toBe(await keyOf(decomposed));
    // And the sandbox agrees that they are different programs.
    const outputs = await Promise.all(
      [composed, decomposed].map(async (code) => {
        const response = await postJson("/v1/executions", { language: "javascript", code });
        return ((await response.json()) as { stdout: string }).stdout;
      }),
    );
    expect(outputs).toEqual(["1\n", "2\n"]);
  });

  it("keeps lone surrogates distinct from U+FFFD and from each other", async () => {
    const keys = await Promise.all(["\ud800", "\udc00", "\ufffd"].map((stdin) => programKey(request({ stdin }))));
    expect(new Set(keys).size).toBe(3);
  });

  it("is stable: the canonical encoding of a request is fixed (a change needs CACHE_KEY_VERSION bumped)", () => {
    const encoding = canonicalEncoding(request({ files: [{ name: "main.js", content: "1" }], limits: { ...LIMIT_DEFAULTS } }));
    const l = LIMIT_DEFAULTS;
    expect(encoding).toBe(
      JSON.stringify([1, "acme", "javascript", "1.0.0", [["main.js", "1"]], "", [], [l.cpuTimeMs, l.wallTimeMs, l.memoryBytes, l.stackBytes, l.maxStdoutBytes, l.maxStderrBytes]]),
    );
  });
});

describe("lookup key", () => {
  it("does not depend on the order generations are listed in", async () => {
    const random = seededRandom(11);
    const generations: Array<[string, number]> = [["a|tenant:a", 0], ["*|runtime:javascript@1.0.0", 5], ["a|dataset:v3", 17], ["a|key:x", 0]];
    const expected = await lookupKey("p", generations);
    for (let i = 0; i < 50; i++) expect(await lookupKey("p", shuffled(generations, random))).toBe(expected);
  });

  it("changes when any generation changes", async () => {
    const generations: Array<[string, number]> = [["a|tenant:a", 0], ["a|dataset:v3", 0]];
    const base = await lookupKey("p", generations);
    expect(await lookupKey("p", [["a|tenant:a", 1], ["a|dataset:v3", 0]])).not.toBe(base);
    expect(await lookupKey("p", [["a|tenant:a", 0], ["a|dataset:v3", 1]])).not.toBe(base);
    expect(await lookupKey("p", [["a|tenant:a", 0]])).not.toBe(base);
    expect(await lookupKey("q", generations)).not.toBe(base);
  });
});

describe("keys over HTTP", () => {
  const keyOf = async (body: Record<string, unknown>) => {
    const response = await postJson("/v1/executions", { language: "javascript", ...body });
    expect(response.status).toBe(200);
    return ((await response.json()) as { cache: { key: string } }).cache.key;
  };

  it("gives the same text sent as utf8, base64 or hex the same key", async () => {
    const content = "console.log('encodings: \u00e9\u4e2d')";
    const bytes = new TextEncoder().encode(content);
    const base64 = btoa(String.fromCharCode(...bytes));
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    const keys = await Promise.all([
      keyOf({ files: [{ name: "main.js", content }] }),
      keyOf({ files: [{ name: "main.js", content: base64, encoding: "base64" }] }),
      keyOf({ files: [{ name: "main.js", content: hex, encoding: "hex" }] }),
      keyOf({ code: content }),
    ]);
    expect(new Set(keys).size).toBe(1);
  });

  it("gives the same program through the native and the Piston API the same entry", async () => {
    const code = "console.log('both APIs', 41 + 1)";
    const native = await postJson("/v1/executions", { language: "javascript", files: [{ name: "main.js", content: code }] });
    expect(native.headers.get("x-cache")).toBe("MISS");
    // Piston's defaults are the same limits; the entry file name is what makes it the same program.
    const piston = await postJson("/api/v2/execute", { language: "javascript", version: "*", files: [{ name: "main.js", content: code }] });
    expect(piston.status).toBe(200);
    expect(["HIT-L1", "HIT-L2", "HIT-L3"]).toContain(piston.headers.get("x-cache"));
    expect(((await piston.json()) as { run: { stdout: string } }).run.stdout).toBe("both APIs 42\n");
  });
});
