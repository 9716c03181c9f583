// Prometheus text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
// Pure: metric families in, text out.
//
// Rules followed: one `# HELP` and one `# TYPE` line per family, before its samples; a family's
// samples are contiguous; metric names match [a-zA-Z_:][a-zA-Z0-9_:]* and label names
// [a-zA-Z_][a-zA-Z0-9_]* (not starting with "__"); label values escape backslash, double quote and
// line feed (\\, \", \n), HELP text escapes backslash and line feed; values are Go-style floats
// (+Inf, -Inf, NaN); histograms have cumulative `_bucket{le=…}` series ending in le="+Inf", plus
// `_sum` and `_count`; summaries have `{quantile=…}` series plus `_sum` and `_count`; the text ends
// with a line feed.

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Record<string, string>;

export type MetricFamily =
  | { name: string; help: string; type: "counter" | "gauge"; samples: Array<{ labels?: Labels; value: number }> }
  | {
      name: string;
      help: string;
      type: "histogram";
      /** One histogram per label set: upper bounds (ascending) with cumulative counts, plus sum and count. */
      series: Array<{ labels?: Labels; buckets: Array<{ le: number; count: number }>; sum: number; count: number }>;
    }
  | {
      name: string;
      help: string;
      type: "summary";
      series: Array<{ labels?: Labels; quantiles: Array<{ quantile: number; value: number | null }>; sum: number; count: number }>;
    };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function labelText(labels: Labels | undefined, extra?: [string, string]): string {
  const pairs = Object.entries(labels ?? {});
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return "";
  for (const [name] of pairs) {
    if (!LABEL_NAME.test(name) || name.startsWith("__")) throw new Error(`invalid Prometheus label name: ${name}`);
  }
  return `{${pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(",")}}`;
}

/** Renders families in the order given; a histogram series must have ascending bounds. */
export function renderPrometheus(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const family of families) {
    if (!METRIC_NAME.test(family.name)) throw new Error(`invalid Prometheus metric name: ${family.name}`);
    if (seen.has(family.name)) throw new Error(`duplicate Prometheus metric family: ${family.name}`);
    seen.add(family.name);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    if (family.type === "histogram") {
      for (const series of family.series) {
        let previous = -Infinity;
        for (const bucket of series.buckets) {
          if (!(bucket.le > previous) || bucket.le === Infinity) throw new Error(`histogram ${family.name}: bounds must ascend, +Inf is implicit`);
          previous = bucket.le;
          lines.push(`${family.name}_bucket${labelText(series.labels, ["le", formatValue(bucket.le)])} ${formatValue(bucket.count)}`);
        }
        lines.push(`${family.name}_bucket${labelText(series.labels, ["le", "+Inf"])} ${formatValue(series.count)}`);
        lines.push(`${family.name}_sum${labelText(series.labels)} ${formatValue(series.sum)}`);
        lines.push(`${family.name}_count${labelText(series.labels)} ${formatValue(series.count)}`);
      }
    } else if (family.type === "summary") {
      for (const series of family.series) {
        for (const { quantile, value } of series.quantiles) {
          lines.push(`${family.name}${labelText(series.labels, ["quantile", formatValue(quantile)])} ${formatValue(value ?? NaN)}`);
        }
        lines.push(`${family.name}_sum${labelText(series.labels)} ${formatValue(series.sum)}`);
        lines.push(`${family.name}_count${labelText(series.labels)} ${formatValue(series.count)}`);
      }
    } else {
      for (const sample of family.samples) lines.push(`${family.name}${labelText(sample.labels)} ${formatValue(sample.value)}`);
    }
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
