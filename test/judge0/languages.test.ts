import { beforeAll, describe, expect, it } from "vitest";
import { QUICKJS_VERSION } from "../../workers/sandbox/runtimes";
import { ADMIN, call, postJson } from "../helpers/http";
import { json, runWaiting } from "./helpers";

// GET /languages, /languages/:id, /statuses and /config_info, before and after a remote backend
// (a fake Piston server, vitest.config.ts) brings more languages. Storage is per test file, so the
// backend registered here is seen by this file only.

type Language = { id: number; name: string };

describe("before any remote backend", () => {
  it("GET /languages lists the built-in JavaScript and TypeScript, named after what runs them", async () => {
    const response = await call("/languages");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      { id: 63, name: `JavaScript (QuickJS ${QUICKJS_VERSION})` },
      { id: 74, name: `TypeScript (QuickJS ${QUICKJS_VERSION})` },
    ]);
  });

  it("GET /languages/:id details a language; an id that cannot run here is a 404", async () => {
    expect(await json(await call("/languages/74"))).toEqual({
      id: 74,
      name: `TypeScript (QuickJS ${QUICKJS_VERSION})`,
      is_archived: false,
      source_file: "script.ts",
      compile_cmd: null,
      run_cmd: null,
    });
    const missing = await call("/languages/71");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "Not Found", status: 404 });
    expect((await call("/languages/abc")).status).toBe(404);
  });

  it("GET /statuses is Judge0's table", async () => {
    const statuses = await json<Array<{ id: number; description: string }>>(await call("/statuses"));
    expect(statuses.map((status) => status.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(statuses[0]).toEqual({ id: 1, description: "In Queue" });
    expect(statuses[13]).toEqual({ id: 14, description: "Exec Format Error" });
  });

  it("GET /config_info reports this instance's limits in Judge0's names and units", async () => {
    const config = await json<Record<string, unknown>>(await call("/config_info"));
    expect(config).toMatchObject({
      enable_wait_result: true,
      enable_compiler_options: false,
      enable_additional_files: false,
      enable_callbacks: true,
      enable_batched_submissions: true,
      cpu_time_limit: 3,
      max_cpu_time_limit: 10,
      wall_time_limit: 5,
      max_wall_time_limit: 15,
      memory_limit: 32768,
      max_memory_limit: 65536,
      max_file_size: 1024,
      max_max_file_size: 1024,
      max_submission_batch_size: 100,
    });
  });

  it("405 with Judge0's error shape for other methods", async () => {
    const response = await postJson("/languages", {});
    expect(response.status).toBe(405);
    expect(await response.json()).toEqual({ error: expect.any(String) });
  });
});

describe("with a remote Piston backend", () => {
  beforeAll(async () => {
    const admin = async (path: string, body: unknown) => {
      const response = await postJson(path, body, ADMIN);
      if (response.status >= 300) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    };
    await admin("/v1/admin/regions", { id: "j0-region", name: "Judge0 test", latitude: 50, longitude: 8, isDefault: true });
    await admin("/v1/admin/backends", { id: "j0-remote", regionId: "j0-region", kind: "piston", url: "http://j0-remote.piston.test" });
  });

  it("lists the languages the backend reports, with its versions; JavaScript stays on the newest runtime", async () => {
    const languages = await json<Language[]>(await call("/languages"));
    expect(languages).toEqual([
      { id: 63, name: `JavaScript (QuickJS ${QUICKJS_VERSION})` },
      { id: 71, name: "Python (3.12.0)" },
      { id: 74, name: `TypeScript (QuickJS ${QUICKJS_VERSION})` },
    ]);
  });

  it("runs a Python submission (71) on the backend through the job pipeline", async () => {
    const { response, submission } = await runWaiting({ source_code: "print(input())", language_id: 71, stdin: "from judge0" }, "&fields=stdout,status,language,execution_host");
    expect(response.status).toBe(201);
    expect(submission.status).toEqual({ id: 3, description: "Accepted" });
    // The fake Piston prints its id, then the stdin it got.
    expect(submission.stdout).toContain("j0-remote");
    expect(submission.stdout).toContain("from judge0");
    expect(submission.language).toEqual({ id: 71, name: "Python (3.12.0)" });
    expect(submission.execution_host).toBe("j0-remote");
  });

  it("Python 2 (70) is still unknown: the backend has no Python 2", async () => {
    const response = await postJson("/submissions", { source_code: "print 1", language_id: 70 });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ language_id: ["language with id 70 doesn't exist"] });
  });
});

describe("GET /openapi.json", () => {
  it("documents the Judge0 routes from the schemas they validate with", async () => {
    const doc = await json<{ paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } }>> }>(
      await call("/openapi.json"),
    );
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/submissions", "/submissions/{token}", "/submissions/batch", "/languages", "/languages/{languageId}", "/statuses", "/config_info"]),
    );
    const body = doc.paths["/submissions"].post.requestBody!.content["application/json"].schema;
    expect(Object.keys(body.properties)).toEqual(
      expect.arrayContaining(["source_code", "language_id", "stdin", "expected_output", "cpu_time_limit", "wall_time_limit", "memory_limit", "callback_url"]),
    );
  });
});
