import { describe, expect, it } from "vitest";
import { call, postJson } from "../helpers/http";

interface Execution {
  id: string;
  status: string;
  exitCode: number | null;
  signal: string | null;
  message: string | null;
  stdout: string;
  stderr: string;
  truncated: { stdout: boolean; stderr: boolean };
  timings: { cpuMs: number; wallMs: number; compileMs?: number };
  memory: { peakBytes: number; limitBytes: number };
  limits: { cpuTimeMs: number; wallTimeMs: number; memoryBytes: number; maxOutputBytes: number };
  runtime: { language: string; version: string; engine: string };
  region: string;
  compile?: { ok: boolean; stderr: string };
}

async function run(body: unknown) {
  const response = await postJson("/v1/executions", body);
  return { response, body: (await response.json()) as Execution & { error?: { code: string; details?: Array<{ path: string; message: string }> } } };
}

describe("POST /v1/executions", () => {
  it("runs `code` and returns the execution resource", async () => {
    const { response, body } = await run({ language: "javascript", code: "console.log([1, 2, 3].map((n) => n * 2))" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-edgebox-region")).toBe("local");
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.status).toBe("ok");
    expect(body.exitCode).toBe(0);
    expect(body.stdout).toBe("[ 2, 4, 6 ]\n");
    expect(body.truncated).toEqual({ stdout: false, stderr: false });
    expect(body.timings.wallMs).toBeGreaterThanOrEqual(0);
    expect(body.memory.peakBytes).toBeGreaterThan(0);
    expect(body.runtime).toMatchObject({ language: "javascript", engine: "quickjs" });
    expect(body.region).toBe("local");
  });

  it("runs several files with the first as the entry", async () => {
    const { body } = await run({
      language: "typescript",
      files: [
        { name: "main.ts", content: "import { greet } from './lib/greet'; console.log(greet('edge'))" },
        { name: "lib/greet.ts", content: "export const greet = (who: string): string => `hello ${who}`;" },
      ],
    });
    expect(body.status).toBe("ok");
    expect(body.stdout).toBe("hello edge\n");
    expect(body.compile?.ok).toBe(true);
    expect(body.timings.compileMs).toBeGreaterThanOrEqual(0);
  });

  it("applies requested limits and echoes them", async () => {
    const { body } = await run({
      language: "js",
      code: "for (;;) console.log('spam')",
      limits: { maxOutputBytes: 100, cpuTimeMs: 500 },
    });
    expect(body.status).toBe("stdout_limit_exceeded");
    expect(body.truncated.stdout).toBe(true);
    expect(new TextEncoder().encode(body.stdout).length).toBeLessThanOrEqual(100);
    expect(body.limits.maxOutputBytes).toBe(100);
    expect(body.limits.cpuTimeMs).toBe(500);
  });

  it("reports memory exhaustion with its own status", async () => {
    const { body } = await run({
      language: "js",
      code: "const a = []; for (;;) a.push({ n: a.length, s: 'x'.repeat(100) })",
      limits: { memoryBytes: 8 * 1024 * 1024 },
    });
    expect(body.status).toBe("memory_limit_exceeded");
    expect(body.message).toMatch(/memory/i);
    expect(body.exitCode).toBeNull();
  });

  it("reports a runtime error with stderr and exit code 1", async () => {
    const { body } = await run({ language: "js", code: "null.x" });
    expect(body.status).toBe("runtime_error");
    expect(body.exitCode).toBe(1);
    expect(body.stderr).toMatch(/TypeError/);
  });

  describe("validation", () => {
    it.each([
      ["no language", { code: "1" }, "language", "language is required as a string"],
      ["both code and files", { language: "js", code: "1", files: [{ content: "1" }] }, "code", "code: send exactly one of `code` or `files`"],
      ["neither code nor files", { language: "js" }, "code", "code: send exactly one of `code` or `files`"],
      ["empty files", { language: "js", files: [] }, "files", "files must contain at least one file"],
      ["bad encoding", { language: "js", files: [{ content: "1", encoding: "rot13" }] }, "files[0].encoding", "files[0].encoding must be one of utf8, base64, hex"],
      ["escaping name", { language: "js", files: [{ name: "/etc/x.js", content: "1" }] }, "files[0].name", "files[0].name must be a relative path that stays inside the program's directory"],
      ["args not strings", { language: "js", code: "1", args: [1] }, "args[0]", "args[0] must be a string"],
      ["fractional limit", { language: "js", code: "1", limits: { cpuTimeMs: 1.5 } }, "limits.cpuTimeMs", "limits.cpuTimeMs must be a whole number of milliseconds"],
      ["unknown limit", { language: "js", code: "1", limits: { gpus: 1 } }, "limits", undefined],
      ["unknown runtime", { language: "brainfuck", code: "+" }, "language", "brainfuck-* runtime is unknown; see GET /v1/runtimes"],
    ])("%s → 400 on %s", async (_name, request, path, message) => {
      const { response, body } = await run(request);
      expect(response.status).toBe(400);
      expect(body.error?.code).toBe("validation_failed");
      expect(body.error?.details?.[0]?.path).toBe(path);
      if (message) expect(body.message).toBe(message);
    });

    it("reports every invalid field, not just the first", async () => {
      const { body } = await run({ language: 5, stdin: 5, args: "x" });
      const paths = body.error?.details?.map((detail) => detail.path);
      expect(paths).toEqual(expect.arrayContaining(["language", "stdin", "args"]));
    });

    it("rejects base64 that does not decode to UTF-8 text", async () => {
      const { response, body } = await run({ language: "js", files: [{ content: btoa("\xff\xfe\xfd"), encoding: "base64" }] });
      expect(response.status).toBe(400);
      expect(body.message).toContain("files[0].content");
    });

    it("rejects duplicate file names", async () => {
      const { response, body } = await run({ language: "js", files: [{ name: "a.js", content: "1" }, { name: "a.js", content: "2" }] });
      expect(response.status).toBe(400);
      expect(body.message).toContain("files[1].name");
    });
  });
});

describe("GET /v1/runtimes", () => {
  it("lists runtimes with their engine", async () => {
    const response = await call("/v1/runtimes");
    const body = (await response.json()) as { runtimes: Array<{ language: string; engine: string }> };
    expect(body.runtimes.map((runtime) => runtime.language).sort()).toEqual(["javascript", "typescript"]);
    expect(body.runtimes.every((runtime) => runtime.engine === "quickjs")).toBe(true);
  });
});

describe("GET /v1/health", () => {
  it("is 200 with every check ok", async () => {
    const response = await call("/v1/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok", checks: { database: "ok", sandbox: "ok" } });
  });
});
