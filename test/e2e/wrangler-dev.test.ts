import piston from "piston-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalServer, type LocalServer } from "./local-server";

// End to end against `wrangler dev`: wrangler's own bundle (the QuickJS .wasm included), local D1
// migrated from migrations/, and an unmodified Piston client library.

let server: LocalServer;

beforeAll(async () => {
  server = await startLocalServer();
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe("the service under wrangler dev", () => {
  it("works with the piston-client package, unchanged", async () => {
    const client = piston({ server: server.url });
    const runtimes = await client.runtimes();
    expect(runtimes.map((runtime: { language: string }) => runtime.language)).toContain("javascript");
    const result = await client.execute("javascript", "console.log(process.argv.slice(2).join('+'))");
    expect(result.run.stdout).toBe("1+2+3\n");
    expect(result.run.code).toBe(0);
  });

  it("serves the native API", async () => {
    const response = await fetch(`${server.url}/v1/executions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ language: "ts", code: "const x: number = 6; console.log(x * 7)" }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; stdout: string };
    expect(body).toMatchObject({ status: "ok", stdout: "42\n" });
  });

  it("keeps answering after hostile programs", async () => {
    const hostile = [
      "while (true) {}",
      "let s = 'x'; for (;;) s += s;",
      "const a = []; for (;;) a.push(new Array(1e5).fill(1));",
      "function f() { return f() + 1 } f()",
      "for (;;) console.log('flood')",
    ];
    for (const code of hostile) {
      const response = await fetch(`${server.url}/v1/executions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ language: "js", code, limits: { cpuTimeMs: 500 } }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { status: string };
      expect(body.status).not.toBe("ok");
      const health = await fetch(`${server.url}/v1/health`);
      expect(health.status).toBe(200);
    }
  });
});
