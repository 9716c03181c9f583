import type { Delivery } from "./store";
import { METRIC_UNITS, type AlertMetric, type AlertNotification } from "./types";

// Notifications as Slack-compatible JSON (docs/alerting.md): `text` (and `blocks`) is what Slack
// shows; `event` and `alert` are the structured form for everything else. Slack's incoming webhooks
// ignore fields they do not know.

/** A webhook call gives up after this long; it is never retried within one evaluation. */
export const WEBHOOK_TIMEOUT_MS = 5_000;

export interface WebhookPayload {
  text: string;
  blocks: Array<Record<string, unknown>>;
  event: "alert.firing" | "alert.resolved";
  alert: {
    ruleId: string;
    status: "firing" | "resolved";
    repeat: boolean;
    reason: AlertNotification["reason"];
    severity: AlertNotification["severity"];
    metric: AlertMetric;
    comparator: AlertNotification["comparator"];
    threshold: number;
    windowMinutes: number;
    value: number | null;
    description: string | null;
    since: string;
    at: string;
    dedupKey: string;
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A readable number: ratios as percentages, latencies in ms, counts as they are. */
export function formatValue(metric: AlertMetric, value: number | null): string {
  if (value === null) return "no data";
  if (metric === "error_rate" || metric === "cache_hit_ratio") return `${(value * 100).toFixed(2).replace(/\.?0+$/, "")} %`;
  if (metric === "p99_latency_ms") return `${Math.round(value)} ms`;
  if (metric === "rps") return `${value.toFixed(2).replace(/\.?0+$/, "")} req/s`;
  return String(Math.round(value * 100) / 100);
}

function durationText(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

export function buildPayload(n: AlertNotification): WebhookPayload {
  const condition = `${n.metric} ${n.comparator} ${formatValue(n.metric, n.threshold)}`;
  const icon = n.kind === "resolved" ? ":white_check_mark:" : n.severity === "critical" ? ":rotating_light:" : n.severity === "warning" ? ":warning:" : ":information_source:";
  const label = n.kind === "resolved" ? "RESOLVED" : `${n.severity.toUpperCase()}${n.repeat ? " (still firing)" : ""}`;
  const why =
    n.reason === "rule_disabled"
      ? "rule disabled"
      : n.reason === "rule_deleted"
        ? "rule deleted"
        : `${n.metric} is ${formatValue(n.metric, n.value)}`;
  const duration = n.kind === "resolved" || n.repeat ? ` after ${durationText(n.at - n.since)}` : "";
  const text = `${icon} [${label}] ${n.ruleId}: ${why} (rule: ${condition}${n.windowMinutes > 0 ? `, ${n.windowMinutes} min` : ""})${duration}`;
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `${icon} *[${label}] ${n.ruleId}*${n.description ? ` — ${n.description}` : ""}` } },
      {
        type: "section",
        fields: [
          { type: "mrkdwn", text: `*Value*\n${formatValue(n.metric, n.value)}` },
          { type: "mrkdwn", text: `*Condition*\n\`${condition}\`${n.windowMinutes > 0 ? ` over ${n.windowMinutes} min` : ""}` },
          { type: "mrkdwn", text: `*Metric*\n${METRIC_UNITS[n.metric]}` },
          { type: "mrkdwn", text: `*Since*\n${iso(n.since)}` },
        ],
      },
      { type: "context", elements: [{ type: "mrkdwn", text: `edgebox alerting · ${n.reason} · ${n.dedupKey}` }] },
    ],
    event: n.kind === "firing" ? "alert.firing" : "alert.resolved",
    alert: {
      ruleId: n.ruleId,
      status: n.kind,
      repeat: n.repeat,
      reason: n.reason,
      severity: n.severity,
      metric: n.metric,
      comparator: n.comparator,
      threshold: n.threshold,
      windowMinutes: n.windowMinutes,
      value: n.value,
      description: n.description,
      since: iso(n.since),
      at: iso(n.at),
      dedupKey: n.dedupKey,
    },
  };
}

/** POSTs one notification; never throws (the outcome is the Delivery to record). */
export async function deliver(url: string | null | undefined, notification: AlertNotification, fetcher: typeof fetch = fetch): Promise<Delivery> {
  if (!url) return { status: "skipped", reason: "ALERT_WEBHOOK_URL is not set" };
  try {
    const response = await fetcher(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "edgebox-alerting" },
      body: JSON.stringify(buildPayload(notification)),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (response.ok) return { status: "delivered", statusCode: response.status };
    return { status: "failed", statusCode: response.status, error: `webhook answered HTTP ${response.status}` };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { status: "failed", statusCode: null, error: message.slice(0, 500) };
  }
}
