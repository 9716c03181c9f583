import { describe, expect, it } from "vitest";
import { buildPayload, deliver, formatValue } from "../../workers/alerting/webhook";
import type { AlertNotification } from "../../workers/alerting/types";

const T0 = Date.UTC(2026, 10, 2, 12, 0, 0);
const firing: AlertNotification = {
  kind: "firing",
  repeat: false,
  reason: "condition_met",
  ruleId: "error-rate",
  description: "More than 5 % of requests failed",
  metric: "error_rate",
  comparator: ">",
  threshold: 0.05,
  windowMinutes: 5,
  severity: "critical",
  value: 0.125,
  since: T0,
  at: T0,
  dedupKey: `error-rate:${T0}`,
};

describe("webhook payload (Slack-compatible)", () => {
  it("has Slack's text and blocks plus the structured alert", () => {
    const payload = buildPayload(firing);
    expect(payload.text).toBe(":rotating_light: [CRITICAL] error-rate: error_rate is 12.5 % (rule: error_rate > 5 %, 5 min)");
    expect(payload.blocks[0]).toEqual({ type: "section", text: { type: "mrkdwn", text: ":rotating_light: *[CRITICAL] error-rate* — More than 5 % of requests failed" } });
    expect(payload.event).toBe("alert.firing");
    expect(payload.alert).toEqual({
      ruleId: "error-rate",
      status: "firing",
      repeat: false,
      reason: "condition_met",
      severity: "critical",
      metric: "error_rate",
      comparator: ">",
      threshold: 0.05,
      windowMinutes: 5,
      value: 0.125,
      description: "More than 5 % of requests failed",
      since: new Date(T0).toISOString(),
      at: new Date(T0).toISOString(),
      dedupKey: `error-rate:${T0}`,
    });
  });

  it("says how long a resolved or repeated alert lasted", () => {
    const resolved = buildPayload({ ...firing, kind: "resolved", reason: "condition_cleared", value: 0.01, at: T0 + 95 * 60_000 });
    expect(resolved.text).toBe(":white_check_mark: [RESOLVED] error-rate: error_rate is 1 % (rule: error_rate > 5 %, 5 min) after 1 h 35 min");
    expect(resolved.event).toBe("alert.resolved");
    const reminder = buildPayload({ ...firing, repeat: true, severity: "warning", at: T0 + 60 * 60_000 });
    expect(reminder.text).toMatch(/^:warning: \[WARNING \(still firing\)\] .* after 1 h$/);
    expect(buildPayload({ ...firing, kind: "resolved", reason: "rule_deleted" }).text).toMatch(/error-rate: rule deleted/);
  });

  it("formats values by metric", () => {
    expect(formatValue("p99_latency_ms", 1234.56)).toBe("1235 ms");
    expect(formatValue("rps", 2.5)).toBe("2.5 req/s");
    expect(formatValue("queue_depth_batch", 12)).toBe("12");
    expect(formatValue("cache_hit_ratio", null)).toBe("no data");
  });

  it("delivers, and reports failures and a missing URL instead of throwing", async () => {
    const seen: Array<{ url: string; body: unknown }> = [];
    const okFetch = (async (url: string, init: RequestInit) => {
      seen.push({ url, body: JSON.parse(String(init.body)) });
      return new Response("ok");
    }) as unknown as typeof fetch;
    expect(await deliver("https://hooks.example/x", firing, okFetch)).toEqual({ status: "delivered", statusCode: 200 });
    expect(seen[0]).toMatchObject({ url: "https://hooks.example/x", body: { event: "alert.firing" } });
    const failing = (async () => new Response("no", { status: 500 })) as unknown as typeof fetch;
    expect(await deliver("https://hooks.example/x", firing, failing)).toEqual({ status: "failed", statusCode: 500, error: "webhook answered HTTP 500" });
    const throwing = (async () => {
      throw new TypeError("connection refused");
    }) as unknown as typeof fetch;
    expect(await deliver("https://hooks.example/x", firing, throwing)).toEqual({ status: "failed", statusCode: null, error: "TypeError: connection refused" });
    expect(await deliver("", firing, okFetch)).toEqual({ status: "skipped", reason: "ALERT_WEBHOOK_URL is not set" });
  });
});
