import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Two `wrangler dev` processes sharing one local state directory: two independent runtimes (their
// own isolates, their own memory) over the same D1, KV and Cache API storage, the way two colos
// share D1 and KV. An invalidation through one must stop the other from serving the invalidated
// entry within the documented staleness bound (5 s), although its copies stay in L1 and KV.

const STALENESS_BOUND_MS = 5_000;
/** Slack for the two processes' clocks and the polling interval. */
const SLACK_MS = 1_500;
const ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" };

interface Server {
  url: string;
  child: ChildProcess;
}

/** A wrangler dev start on a loaded 2-core machine (the workers suite runs alongside) can be slow. */
const START_TIMEOUT_MS = 150_000;

async function startOn(state: string, port: number): Promise<Server> {
  // Trace sampling off: the two processes share Durable Object storage files, and this test is about
  // the result cache, not about both writing the same trace store.
  const vars = ["--var", "ENVIRONMENT:development", "--var", "OTEL_TRACES_SAMPLER_ARG:0"];
  const child = spawn(
    "wrangler",
    ["dev", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", state, "--show-interactive-dev-session=false", ...vars, "--inspector-port", String(port + 1000)],
    { env: ENV, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  child.stdout!.on("data", (chunk) => (output = (output + chunk).slice(-4_000)));
  child.stderr!.on("data", (chunk) => (output = (output + chunk).slice(-4_000)));
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + START_TIMEOUT_MS; Date.now() < deadline; ) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(2_000) })).status === 200) return { url, child };
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  stop({ url, child });
  throw new Error(`wrangler dev on ${port} did not start; its last output:\n${output}`);
}

function stop(server: Server | undefined) {
  try {
    if (server?.child.pid) process.kill(-server.child.pid, "SIGKILL");
  } catch {
    // gone
  }
}

interface Answer {
  xCache: string | null;
  /** For a hit, when the cached answer was produced: it tells the old entry from a new one. */
  storedAt: string | undefined;
}

async function execute(server: Server, body: unknown): Promise<Answer> {
  const response = await fetch(`${server.url}/v1/executions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  const json = (await response.json()) as { stdout: string; cache: { storedAt?: string } };
  expect(json.stdout).toBe("two servers 42\n");
  return { xCache: response.headers.get("x-cache"), storedAt: json.cache.storedAt };
}

describe("invalidation across two wrangler dev processes sharing storage", () => {
  const state = mkdtempSync(join(tmpdir(), "edgebox-cache-e2e-"));
  let a: Server | undefined;
  let b: Server | undefined;

  beforeAll(async () => {
    execFileSync("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { env: ENV, stdio: "ignore" });
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    // One after the other: two first-time bundles at once double the wait on a 2-core machine.
    a = await startOn(state, base);
    b = await startOn(state, base + 1);
  }, 2 * START_TIMEOUT_MS + 30_000);
  afterAll(() => {
    stop(a);
    stop(b);
    rmSync(state, { recursive: true, force: true });
  });

  it("stops the other process from serving the invalidated entry within the bound", async () => {
    const body = { language: "javascript", code: `console.log("two servers", 6 * 7) // ${Math.random()}`, cache: { tags: ["dataset:v3"] } };
    const first = await execute(a!, body);
    expect(first.xCache).toBe("MISS");
    // B has never seen it: it answers from the shared storage, not by running it again.
    const fromB = await execute(b!, body);
    expect(fromB.xCache).toMatch(/^HIT-L[123]$/);
    const old = fromB.storedAt;
    expect(old).toMatch(/^\d{4}-/);

    const invalidated = await fetch(`${a!.url}/v1/cache/invalidate`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ tags: ["dataset:v3"] }) });
    expect(invalidated.status).toBe(200);
    const at = Date.now();
    const rerun = await execute(a!, body);
    expect(rerun.xCache).toBe("MISS"); // A sees its own invalidation at once: it ran the program again

    // B may serve the old entry for at most the bound; poll until well past it.
    const seen: Array<{ ms: number; stale: boolean }> = [];
    while (Date.now() - at < STALENESS_BOUND_MS + SLACK_MS + 2_000) {
      const answer = await execute(b!, body);
      seen.push({ ms: Date.now() - at, stale: answer.xCache !== "MISS" && answer.storedAt === old });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const lastStale = Math.max(-1, ...seen.filter((s) => s.stale).map((s) => s.ms));
    expect(lastStale).toBeLessThan(STALENESS_BOUND_MS + SLACK_MS);
    expect(seen.at(-1)!.stale).toBe(false);
  });
});
