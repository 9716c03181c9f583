import { describe, expect, it } from "vitest";
import type { PistonStage } from "../../workers/api/presenters/piston-result";
import { call, postJson } from "../helpers/http";

interface PistonResult {
  language: string;
  version: string;
  run: PistonStage;
  compile?: PistonStage;
}

async function execute(body: unknown, prefix = "/api/v2") {
  const response = await postJson(`${prefix}/execute`, body);
  return { response, body: (await response.json()) as PistonResult & { message?: string } };
}

describe("GET /api/v2/runtimes", () => {
  it.each(["/api/v2/runtimes", "/api/v2/piston/runtimes"])("lists the built-in runtimes at %s", async (path) => {
    const response = await call(path);
    expect(response.status).toBe(200);
    const runtimes = (await response.json()) as Array<{ language: string; version: string; aliases: string[]; runtime: string }>;
    const javascript = runtimes.find((runtime) => runtime.language === "javascript");
    expect(javascript?.aliases).toEqual(expect.arrayContaining(["js", "node-javascript", "node-js"]));
    expect(javascript?.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(runtimes.find((runtime) => runtime.language === "typescript")?.aliases).toContain("ts");
  });
});

describe("POST /api/v2/execute", () => {
  it("runs a JavaScript program and answers in Piston's shape", async () => {
    const { response, body } = await execute({
      language: "js",
      version: "*",
      files: [{ name: "main.js", content: "console.log('hi', process.argv.slice(2).join(',')); console.error('warn')" }],
      args: ["a", "b"],
    });
    expect(response.status).toBe(200);
    expect(body.language).toBe("javascript");
    expect(body.run.stdout).toBe("hi a,b\n");
    expect(body.run.stderr).toBe("warn\n");
    expect(body.run.output).toBe("hi a,b\nwarn\n");
    expect(body.run.code).toBe(0);
    expect(body.run.signal).toBeNull();
    expect(body.run.status).toBeNull();
    expect(body.run.message).toBeNull();
    expect(typeof body.run.cpu_time).toBe("number");
    expect(typeof body.run.wall_time).toBe("number");
    expect(body.run.memory).toBeGreaterThan(0);
    expect(body.compile).toBeUndefined();
  });

  it.each([["text/plain;charset=UTF-8"], [null]])("parses JSON sent as %s, as piston-client sends it", async (contentType) => {
    const response = await call("/api/v2/execute", {
      method: "POST",
      headers: contentType ? { "content-type": contentType } : {},
      body: JSON.stringify({ language: "javascript", version: "*", files: [{ content: "console.log('lenient')" }] }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as PistonResult).run.stdout).toBe("lenient\n");
  });

  it("is also served under /api/v2/piston", async () => {
    const { response, body } = await execute(
      { language: "javascript", version: "*", files: [{ content: "console.log(2+2)" }] },
      "/api/v2/piston",
    );
    expect(response.status).toBe(200);
    expect(body.run.stdout).toBe("4\n");
  });

  it("feeds stdin and reports a non-zero exit as RE", async () => {
    const { body } = await execute({
      language: "javascript",
      version: "*",
      files: [{ content: "const s = require('fs').readFileSync(0, 'utf8'); console.log(s.trim().toUpperCase()); process.exit(3)" }],
      stdin: "shout",
    });
    expect(body.run.stdout).toBe("SHOUT\n");
    expect(body.run.code).toBe(3);
    expect(body.run.status).toBe("RE");
    expect(body.run.message).toBe("Exited with error status 3");
  });

  it("runs TypeScript with a compile stage", async () => {
    const { body } = await execute({
      language: "ts",
      version: "*",
      files: [{ name: "main.ts", content: "const n: number = 21; console.log(n * 2)" }],
    });
    expect(body.language).toBe("typescript");
    expect(body.run.stdout).toBe("42\n");
    expect(body.compile?.code).toBe(0);
  });

  it("reports a TypeScript syntax error from the compile stage, repeated as run", async () => {
    const { body } = await execute({
      language: "typescript",
      version: "*",
      files: [{ name: "main.ts", content: "const x: = 1;" }],
    });
    expect(body.compile?.code).toBe(1);
    expect(body.compile?.status).toBe("RE");
    expect(body.compile?.stderr).toContain("main.ts");
    expect(body.run).toEqual(body.compile);
  });

  it("stops an infinite loop with TO and SIGKILL", async () => {
    const { body } = await execute({
      language: "javascript",
      version: "*",
      files: [{ content: "while (true) {}" }],
      run_cpu_time: 200,
    });
    expect(body.run.status).toBe("TO");
    expect(body.run.signal).toBe("SIGKILL");
    expect(body.run.code).toBeNull();
  });

  it("decodes base64 files and runs the first utf8 file", async () => {
    const { body } = await execute({
      language: "javascript",
      version: "*",
      files: [
        { name: "data.txt", content: btoa("from base64"), encoding: "base64" },
        { name: "main.js", content: "console.log(require('fs').readFileSync('data.txt', 'utf8'))" },
      ],
    });
    expect(body.run.stdout).toBe("from base64\n");
  });

  describe("validation, in Piston's order and words", () => {
    const cases: Array<[string, unknown, string]> = [
      ["missing language", { version: "*", files: [] }, "language is required as a string"],
      ["numeric language", { language: 1, version: "*", files: [] }, "language is required as a string"],
      ["empty language", { language: "", version: "*", files: [] }, "language is required as a string"],
      ["missing version", { language: "js", files: [] }, "version is required as a string"],
      ["missing files", { language: "js", version: "*" }, "files is required as an array"],
      ["files not an array", { language: "js", version: "*", files: "x" }, "files is required as an array"],
      ["content missing", { language: "js", version: "*", files: [{ content: "1" }, { name: "x" }] }, "files[1].content is required as a string"],
      ["unknown runtime", { language: "cobol", version: "*", files: [{ content: "" }] }, "cobol-* runtime is unknown"],
      ["unknown version", { language: "js", version: "1.0.0", files: [{ content: "" }] }, "js-1.0.0 runtime is unknown"],
      ["no utf8 file", { language: "js", version: "*", files: [] }, "files must include at least one utf8 encoded file"],
      [
        "only base64 files",
        { language: "js", version: "*", files: [{ content: "eA==", encoding: "base64" }] },
        "files must include at least one utf8 encoded file",
      ],
      ["string limit", { language: "js", version: "*", files: [{ content: "" }], run_timeout: "5" }, "If specified, run_timeout must be a number"],
      ["negative limit", { language: "js", version: "*", files: [{ content: "" }], run_cpu_time: -1 }, "run_cpu_time must be non-negative"],
      ["stdin not a string", { language: "js", version: "*", files: [{ content: "" }], stdin: 5 }, "stdin must be a string"],
    ];
    it.each(cases)("%s", async (_name, body, message) => {
      const { response, body: error } = await execute(body);
      expect(response.status).toBe(400);
      expect(error.message).toBe(message);
    });

    it("rejects limits above the configured maxima with the limit in the message", async () => {
      const { response, body } = await execute({ language: "js", version: "*", files: [{ content: "" }], run_timeout: 10 ** 9 });
      expect(response.status).toBe(400);
      expect(body.message).toMatch(/^run_timeout cannot exceed the configured limit of \d+$/);
    });

    it("treats 0 limits as 'use the default', like Piston", async () => {
      const { response, body } = await execute({
        language: "js",
        version: "*",
        files: [{ content: "console.log('ok')" }],
        run_timeout: 0,
        run_memory_limit: 0,
      });
      expect(response.status).toBe(200);
      expect(body.run.stdout).toBe("ok\n");
    });

    it("reads a memory limit of -1 (Piston's 'unlimited', sent by piston-client) as the maximum", async () => {
      const { response, body } = await execute({
        language: "js",
        version: "*",
        files: [{ content: "console.log('ok')" }],
        run_memory_limit: -1,
        compile_memory_limit: -1,
      });
      expect(response.status).toBe(200);
      expect(body.run.stdout).toBe("ok\n");
      const { body: negative } = await execute({ language: "js", version: "*", files: [{ content: "" }], run_memory_limit: -2 });
      expect(negative.message).toBe("run_memory_limit must be non-negative");
    });

    it("rejects file names that escape the program directory", async () => {
      const { response, body } = await execute({
        language: "js",
        version: "*",
        files: [{ name: "../../etc/passwd", content: "1" }],
      });
      expect(response.status).toBe(400);
      expect(body.message).toContain("files[0].name");
    });

    it("rejects non-JSON with Piston's 415 message", async () => {
      const response = await call("/api/v2/execute", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "language=js" });
      expect(response.status).toBe(415);
      expect(((await response.json()) as { message: string }).message).toBe("requests must be of type application/json");
    });
  });
});
