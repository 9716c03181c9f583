import { describe, expect, it } from "vitest";
import { renderPrometheus, type MetricFamily } from "../../workers/metrics/prometheus";
import { BREAKER_STATES, type LiveState } from "../../workers/metrics/live";
import { buildPrometheusFamilies } from "../../workers/metrics/report";
import { MINUTE_MS, addRecord, denseRollups, emptyMinute, emptyTotals, mergeAggregate } from "../../workers/metrics/rollup";
import { parsePrometheus, sampleValue } from "./prometheus-parser";
import { record } from "./records";

const live: LiveState = {
  queues: { interactive: { depth: 3 }, batch: { depth: null } },
  regions: [
    {
      id: "eu-west",
      status: "degraded",
      inFlight: 5,
      backends: [
        { id: "fra-1", kind: "piston", inFlight: 5, limit: 8, breaker: "half_open", probe: "healthy" },
        { id: "builtin-eu-west", kind: "builtin", inFlight: 0, limit: 64, breaker: "closed", probe: "healthy" },
      ],
    },
  ],
};

describe("Prometheus rendering", () => {
  it("escapes label values and HELP text so they parse back to the original", () => {
    const tricky = 'a "quoted" \\ back\\slash\nand a newline';
    const text = renderPrometheus([
      { name: "x_total", help: "help with \\ and\nnewline", type: "counter", samples: [{ labels: { v: tricky }, value: 1 }] },
    ]);
    expect(text).toContain('v="a \\"quoted\\" \\\\ back\\\\slash\\nand a newline"');
    const parsed = parsePrometheus(text);
    expect(parsed.get("x_total")!.help).toBe("help with \\ and\nnewline");
    expect(parsed.get("x_total")!.samples[0].labels.v).toBe(tricky);
  });

  it("writes special floats the Go way", () => {
    const text = renderPrometheus([
      { name: "g", help: "h", type: "gauge", samples: [{ labels: { k: "a" }, value: Infinity }, { labels: { k: "b" }, value: -Infinity }, { labels: { k: "c" }, value: NaN }, { labels: { k: "d" }, value: 1e-7 }] },
    ]);
    expect(text).toContain('g{k="a"} +Inf\n');
    expect(text).toContain('g{k="b"} -Inf\n');
    expect(text).toContain('g{k="c"} NaN\n');
    const parsed = parsePrometheus(text);
    expect(sampleValue(parsed, "g", { k: "d" })).toBe(1e-7);
  });

  it("renders histograms with cumulative buckets, +Inf, _sum and _count", () => {
    const family: MetricFamily = {
      name: "lat_seconds",
      help: "h",
      type: "histogram",
      series: [{ labels: { route: "r" }, buckets: [{ le: 0.1, count: 2 }, { le: 1, count: 5 }], sum: 3.5, count: 7 }],
    };
    const text = renderPrometheus([family]);
    expect(text).toBe(
      [
        "# HELP lat_seconds h",
        "# TYPE lat_seconds histogram",
        'lat_seconds_bucket{route="r",le="0.1"} 2',
        'lat_seconds_bucket{route="r",le="1"} 5',
        'lat_seconds_bucket{route="r",le="+Inf"} 7',
        'lat_seconds_sum{route="r"} 3.5',
        'lat_seconds_count{route="r"} 7',
        "",
      ].join("\n"),
    );
    parsePrometheus(text);
  });

  it("refuses invalid names and label names", () => {
    expect(() => renderPrometheus([{ name: "bad-name", help: "", type: "gauge", samples: [] }])).toThrow();
    expect(() => renderPrometheus([{ name: "ok", help: "", type: "gauge", samples: [{ labels: { "bad-label": "x" }, value: 1 }] }])).toThrow();
    expect(() => renderPrometheus([{ name: "ok", help: "", type: "gauge", samples: [{ labels: { __reserved: "x" }, value: 1 }] }])).toThrow();
  });
});

describe("the test parser itself rejects invalid expositions", () => {
  const invalid: Record<string, string> = {
    "no final line feed": "# TYPE a gauge\na 1",
    "bad escape in a label value": '# TYPE a gauge\na{x="\\t"} 1\n',
    "unterminated label value": '# TYPE a gauge\na{x="1} 1\n',
    "duplicate label": '# TYPE a gauge\na{x="1",x="2"} 1\n',
    "duplicate series": "# TYPE a gauge\na 1\na 2\n",
    "TYPE after samples": "a 1\n# TYPE a gauge\n",
    "two TYPE lines": "# TYPE a gauge\n# TYPE a counter\n",
    "non-contiguous family": "# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na{x=\"y\"} 2\n",
    "bad value": "# TYPE a gauge\na one\n",
    "negative counter": "# TYPE a_total counter\na_total -1\n",
    "histogram without +Inf": '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n',
    "histogram decreasing buckets": '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="2"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n',
    "histogram +Inf ≠ count": '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n',
    "summary quantile out of range": '# TYPE s summary\ns{quantile="1.5"} 1\ns_sum 1\ns_count 1\n',
    "summary without count": '# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 1\n',
    "invalid metric name": "# TYPE 9a gauge\n",
  };
  for (const [name, text] of Object.entries(invalid)) {
    it(name, () => expect(() => parsePrometheus(text)).toThrow());
  }

  it("accepts comments, blank lines and timestamps", () => {
    const parsed = parsePrometheus("# a comment\n\n# HELP a h\n# TYPE a gauge\na 1 1700000000000\n");
    expect(sampleValue(parsed, "a")).toBe(1);
  });
});

describe("GET /metrics families", () => {
  it("are valid and report the totals, recent quantiles and live state", () => {
    const now = Date.UTC(2026, 10, 20, 12, 3, 0);
    const totals = emptyTotals();
    const minute = emptyMinute(now - MINUTE_MS);
    const records = [
      record({ at: now - 30_000, latencyMs: 3 }),
      record({ at: now - 30_000, latencyMs: 40, status: 503, executionStatus: null, cache: null, ranProgram: false }),
      record({ at: now - 30_000, latencyMs: 900, route: 'GET /odd"route\\' }),
      record({ at: now - 30_000, latencyMs: 20, cache: "L1", ranProgram: false, runtime: "typescript" }),
    ];
    for (const r of records) addRecord(minute, r);
    mergeAggregate(totals, minute);
    const text = renderPrometheus(buildPrometheusFamilies(totals, denseRollups([minute], now - 5 * MINUTE_MS, now), live));
    const parsed = parsePrometheus(text);

    expect(parsed.get("edgebox_requests_total")!.type).toBe("counter");
    expect(sampleValue(parsed, "edgebox_requests_total", { route: "POST /v1/executions", status_class: "2xx" })).toBe(2);
    expect(sampleValue(parsed, "edgebox_requests_total", { route: "POST /v1/executions", status_class: "5xx" })).toBe(1);
    expect(sampleValue(parsed, "edgebox_requests_total", { route: 'GET /odd"route\\', status_class: "2xx" })).toBe(1);
    expect(sampleValue(parsed, "edgebox_request_errors_total", { route: "POST /v1/executions" })).toBe(1);
    expect(sampleValue(parsed, "edgebox_request_duration_seconds_bucket", { route: "POST /v1/executions", le: "0.005" })).toBe(1);
    expect(sampleValue(parsed, "edgebox_request_duration_seconds_bucket", { route: "POST /v1/executions", le: "+Inf" })).toBe(3);
    expect(sampleValue(parsed, "edgebox_request_duration_seconds_sum", { route: "POST /v1/executions" })).toBeCloseTo(0.063, 9);
    expect(sampleValue(parsed, "edgebox_request_latency_seconds_count")).toBe(4);
    const p99 = sampleValue(parsed, "edgebox_request_latency_seconds", { quantile: "0.99" })!;
    expect(Math.abs(p99 - 0.04)).toBeLessThanOrEqual(0.04 * 0.01);
    expect(sampleValue(parsed, "edgebox_cache_requests_total", { level: "L1" })).toBe(1);
    expect(sampleValue(parsed, "edgebox_cache_requests_total", { level: "miss" })).toBe(2);
    expect(sampleValue(parsed, "edgebox_region_requests_total", { region: "eu-west" })).toBe(4);
    expect(sampleValue(parsed, "edgebox_executions_total", { runtime: "javascript" })).toBe(2);
    expect(sampleValue(parsed, "edgebox_queue_depth", { lane: "interactive" })).toBe(3);
    expect(sampleValue(parsed, "edgebox_queue_depth", { lane: "batch" })).toBeUndefined();
    expect(sampleValue(parsed, "edgebox_region_in_flight", { region: "eu-west" })).toBe(5);
    expect(sampleValue(parsed, "edgebox_backend_in_flight", { region: "eu-west", backend: "fra-1" })).toBe(5);
    expect(sampleValue(parsed, "edgebox_backend_concurrency_limit", { region: "eu-west", backend: "fra-1" })).toBe(8);
    for (const state of BREAKER_STATES) {
      expect(sampleValue(parsed, "edgebox_backend_breaker_state", { region: "eu-west", backend: "fra-1", state })).toBe(state === "half_open" ? 1 : 0);
    }
  });

  it("are valid with nothing recorded and nothing live", () => {
    const text = renderPrometheus(buildPrometheusFamilies(emptyTotals(), [], { queues: { interactive: { depth: null }, batch: { depth: null } }, regions: [] }));
    const parsed = parsePrometheus(text);
    expect(sampleValue(parsed, "edgebox_request_latency_seconds", { quantile: "0.5" })).toBeNaN();
    expect(sampleValue(parsed, "edgebox_request_latency_seconds_count")).toBe(0);
  });
});
