import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalServer, type LocalServer } from "./local-server";

// The live dashboard (public/dashboard/, docs/dashboard.md) end to end: `wrangler dev` serving it
// from the Worker, and Debian's headless Chromium driven by playwright-core (no browser download).
// The page must load, show numbers from GET /v1/metrics, follow traffic sent by the test, and leave
// screenshots in test/e2e/artifacts/.

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// The machine's network is closed: nothing in the background may try to reach the internet.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));
const TRAFFIC = 20;
/** Generous: the page polls every second, but the metrics rollups may take a while to show a request. */
const UPDATE_TIMEOUT_MS = 60_000;

async function openBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's (apt-get install -y --no-install-recommends chromium) or set CHROMIUM_PATH`);
  }
  const profile = mkdtempSync(join(tmpdir(), "edgebox-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Collects a page's uncaught errors, console errors and failed loads of its own files. API answers
 * are left out: an error status from an optional endpoint (GET /v1/capacity) is degraded gracefully,
 * and the browser logs it as "Failed to load resource".
 */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) errors.push(`console: ${message.text()}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400 && !new URL(response.url()).pathname.startsWith("/v1/")) errors.push(`${response.status()} ${response.url()}`);
  });
  page.on("requestfailed", (request) => errors.push(`failed: ${request.url()} ${request.failure()?.errorText ?? ""}`));
  return errors;
}

/** The raw value behind a number on the page (its data-value), or null while it has none. */
async function numberOn(page: Page, testId: string): Promise<number | null> {
  const raw = await page.getByTestId(testId).getAttribute("data-value");
  return raw === null || raw === "" ? null : Number(raw);
}

/** Polls `read` until `ok` holds (the page updates itself; the test only watches). */
async function waitUntil<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = UPDATE_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}

/** Waits until every number has a value and the first is at least `min`. */
async function waitForNumbers(page: Page, testIds: string[], min = -Infinity): Promise<number[]> {
  const values = await waitUntil(
    `${testIds.join(", ")} on the page${Number.isFinite(min) ? ` (${testIds[0]} >= ${min})` : ""}`,
    () => Promise.all(testIds.map((id) => numberOn(page, id))),
    (found) => found.every((value) => value !== null) && found[0]! >= min,
  );
  return values as number[];
}

const CACHE_OUTCOMES = ["cache-L1", "cache-L2", "cache-L3", "cache-miss", "cache-bypass"];
async function cacheOutcomes(page: Page): Promise<{ hits: number; all: number }> {
  const [l1, l2, l3, miss, bypass] = await Promise.all(CACHE_OUTCOMES.map((id) => numberOn(page, id)));
  const hits = (l1 ?? 0) + (l2 ?? 0) + (l3 ?? 0);
  return { hits, all: hits + (miss ?? 0) + (bypass ?? 0) };
}

describe("dashboard under wrangler dev (development: metrics open)", () => {
  let server: LocalServer;
  let browser: Awaited<ReturnType<typeof openBrowser>>;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    [server, browser] = await Promise.all([startLocalServer(), openBrowser()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("is served at /dashboard and /dashboard/ while the Worker keeps its routes", async () => {
    const bare = await fetch(`${server.url}/dashboard`, { redirect: "manual" });
    expect([200, 307, 308]).toContain(bare.status);
    if (bare.status !== 200) expect(new URL(bare.headers.get("location")!, server.url).pathname).toBe("/dashboard/");
    const followed = await fetch(`${server.url}/dashboard`);
    expect(followed.status).toBe(200);
    expect(followed.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await fetch(`${server.url}/dashboard/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-testid="requests-total"');
    for (const asset of ["dashboard.js", "dashboard.css"]) {
      const response = await fetch(`${server.url}/dashboard/${asset}`);
      expect(response.status, asset).toBe(200);
      expect(response.headers.get("content-security-policy"), asset).toContain("script-src 'self'");
    }

    // The API still answers, with its own JSON.
    const health = await fetch(`${server.url}/v1/health`);
    expect(health.status).toBe(200);
    const metrics = await fetch(`${server.url}/v1/metrics?minutes=15`);
    expect(metrics.status).toBe(200);
    expect(await metrics.json()).toMatchObject({ window: { minutes: 15 }, requests: { total: expect.any(Number) } });
    const missing = await fetch(`${server.url}/no-such-route`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "not_found" } });
    const headersFile = await fetch(`${server.url}/_headers`);
    expect(headersFile.status).toBe(404);
  });

  it("loads, shows live numbers that follow traffic, and saves screenshots", async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    let polls = 0;
    page.on("request", (request) => {
      if (new URL(request.url()).pathname.startsWith("/v1/")) polls += 1;
    });
    await page.goto(`${server.url}/dashboard?interval=1`);
    await expect(page.title()).resolves.toContain("edgebox");
    await waitForNumbers(page, ["requests-total", "rps"]);
    await expect(page.getByTestId("status").getAttribute("data-state")).resolves.toBe("live");

    const totalBefore = (await numberOn(page, "requests-total"))!;
    const cacheBefore = await cacheOutcomes(page);
    const pollsBefore = polls;

    // Traffic: 20 executions of 5 distinct programs, so the first of each misses and the rest hit.
    for (let batch = 0; batch < TRAFFIC / 5; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          fetch(`${server.url}/v1/executions`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ language: "javascript", code: `console.log(${i} * 7)` }),
          }),
        ),
      );
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        await answer.body?.cancel();
      }
    }

    // The page shows the traffic by itself (it polls): wait for the total to take in all 20.
    await waitForNumbers(page, ["requests-total"], totalBefore + TRAFFIC);
    const cacheAfter = await waitUntil("the cache outcomes of the traffic", () => cacheOutcomes(page), (found) => found.all >= cacheBefore.all + TRAFFIC);
    const totalAfter = (await numberOn(page, "requests-total"))!;
    // Consistent with the traffic: every execution counted once; the only other requests are the
    // page's own polls of /v1/metrics and /v1/capacity.
    expect(totalAfter - totalBefore).toBeGreaterThanOrEqual(TRAFFIC);
    expect(totalAfter - totalBefore).toBeLessThanOrEqual(TRAFFIC + (polls - pollsBefore) + 2);
    expect(cacheAfter.all - cacheBefore.all).toBe(TRAFFIC);
    expect(cacheAfter.hits - cacheBefore.hits).toBeGreaterThanOrEqual(1);
    expect(await numberOn(page, "rps-now")).toBeGreaterThan(0);
    expect(await numberOn(page, "rps")).toBeGreaterThan(0);
    expect(await numberOn(page, "latency-p50")).toBeGreaterThan(0);
    expect(await numberOn(page, "latency-p99")).toBeGreaterThanOrEqual((await numberOn(page, "latency-p50"))!);
    expect(await numberOn(page, "error-rate")).toBe(0);
    expect(await numberOn(page, "cache-hit-ratio")).toBeGreaterThan(0);
    expect(await numberOn(page, "queue-interactive")).toBe(0);

    // Numbers are real text, formatted from the same values.
    expect(await page.getByTestId("requests-total").textContent()).toBe(totalAfter.toLocaleString("en-US"));
    // The built-in region and its backend, with health and breaker badges.
    await expect(page.getByTestId("region-status-local").textContent()).resolves.toBe("healthy");
    await expect(page.getByTestId("breaker-builtin-local").textContent()).resolves.toBe("closed");
    // Charts were drawn: the request-rate line and the latency lines.
    expect(await page.locator("#chart-rps path.series").count()).toBe(1);
    expect(await page.locator("#chart-latency path.series").count()).toBe(3);
    expect(await page.locator("#chart-rps svg").getAttribute("aria-label")).toMatch(/latest [\d.]+ req\/s/);
    // Forecast vs actual: from /v1/capacity when this server has it, else a plain message.
    await expect(page.getByTestId("forecast-state").textContent()).resolves.toMatch(/forecast|capacity/i);

    const desktop = join(ARTIFACTS, "dashboard.png");
    rmSync(desktop, { force: true });
    await page.screenshot({ path: desktop, fullPage: true });
    expect(existsSync(desktop)).toBe(true);
    expect(statSync(desktop).size).toBeGreaterThan(30_000);

    // A phone's width: one column, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForFunction("document.documentElement.scrollWidth <= window.innerWidth", undefined, { timeout: 5_000 });
    const phone = join(ARTIFACTS, "dashboard-phone.png");
    rmSync(phone, { force: true });
    await page.screenshot({ path: phone, fullPage: true });
    expect(statSync(phone).size).toBeGreaterThan(20_000);

    expect(errors).toEqual([]);
    await page.close();
  }, 150_000);
});

describe("dashboard in production mode (metrics need the admin secret)", () => {
  const SECRET = "dashboard-e2e-admin-secret";
  let server: LocalServer;
  let browser: Awaited<ReturnType<typeof openBrowser>>;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startLocalServer({ ENVIRONMENT: "production", ADMIN_SECRET: SECRET }), openBrowser()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("asks for the secret on a 401, keeps it for the tab, and asks again when it is rejected", async () => {
    expect((await fetch(`${server.url}/v1/metrics`)).status).toBe(401);
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/dashboard/?interval=1`);
    const form = page.locator("#auth");
    await form.waitFor({ state: "visible", timeout: 30_000 });
    expect(await numberOn(page, "requests-total")).toBeNull();
    await expect(page.getByTestId("status").getAttribute("data-state")).resolves.toBe("auth");

    // A wrong secret is rejected (403) and forgotten; the form comes back and says so.
    await page.fill("#auth-secret", "not-the-secret");
    await page.click("#auth button[type=submit]");
    await page.locator("#auth-message", { hasText: "not accepted" }).waitFor({ timeout: 30_000 });
    await form.waitFor({ state: "visible" });
    expect(await page.evaluate(() => sessionStorage.getItem("edgebox.adminSecret"))).toBeNull();

    await page.fill("#auth-secret", SECRET);
    await page.click("#auth button[type=submit]");
    await waitForNumbers(page, ["requests-total"]);
    expect(await form.isHidden()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem("edgebox.adminSecret"))).toBe(SECRET);

    // Asked once: a reload in the same tab goes straight to the numbers.
    await page.reload();
    await waitForNumbers(page, ["requests-total"]);
    expect(await form.isHidden()).toBe(true);
    await page.close();
  }, 120_000);
});
