import { describe, expect, it } from "vitest";
import dashboard from "../../grafana/edgebox-dashboard.json";
import { AE_DATASET, dataPoint } from "../../workers/metrics/analytics-engine";
import { record } from "./records";

// The Grafana dashboard queries the Analytics Engine SQL API. Sampled rows stand for
// _sample_interval requests each, so every aggregate must be weighted by it; and queries may only
// use the columns the data point layout (workers/metrics/analytics-engine.ts) defines.

interface Target {
  query: string;
  table: string;
  format: string;
  dateTimeColDataType: string;
  datasource: { type: string };
}

const targets: Target[] = (dashboard.panels as Array<{ targets: Target[] }>).flatMap((panel) => panel.targets);

/** The argument list of every call of `fn(` in `sql` (balanced parentheses). */
function callArguments(sql: string, fn: RegExp): string[] {
  const out: string[] = [];
  for (const match of sql.matchAll(fn)) {
    let depth = 1;
    let i = match.index! + match[0].length;
    const start = i;
    for (; i < sql.length && depth > 0; i++) {
      if (sql[i] === "(") depth++;
      else if (sql[i] === ")") depth--;
    }
    out.push(sql.slice(start, i - 1));
  }
  return out;
}

describe("grafana/edgebox-dashboard.json", () => {
  it("has panels, each querying the dataset through the Altinity ClickHouse data source", () => {
    expect(targets.length).toBeGreaterThanOrEqual(10);
    for (const target of targets) {
      expect(target.datasource.type).toBe("vertamedia-clickhouse-datasource");
      expect(target.table).toBe(AE_DATASET);
      expect(target.dateTimeColDataType).toBe("timestamp");
      expect(target.query).toContain("FROM $table");
      expect(target.query).toContain("$timeFilter");
      if (target.format === "time_series") expect(target.query).toContain("$timeSeries AS t");
    }
  });

  it("weights every aggregate by _sample_interval and never counts or averages rows", () => {
    for (const { query } of targets) {
      expect(query).not.toMatch(/\bcount\s*\(|\bavg\s*\(|\bquantile\s*\(|\bmedian\s*\(/i);
      const sums = [...callArguments(query, /\bSUM\(/gi), ...callArguments(query, /\bsumIf\(/g)];
      const quantiles = callArguments(query, /\bquantileExactWeighted\([0-9.]+\)\(/g);
      expect(sums.length + quantiles.length).toBeGreaterThan(0);
      for (const args of [...sums, ...quantiles]) expect(args, query).toContain("_sample_interval");
      for (const args of quantiles) expect(args, query).toMatch(/,\s*_sample_interval\s*$/);
    }
  });

  it("uses only the columns of the data point layout", () => {
    const point = dataPoint(record());
    for (const { query } of targets) {
      for (const [, n] of query.matchAll(/\bblob(\d+)\b/g)) expect(Number(n)).toBeLessThanOrEqual(point.blobs!.length);
      for (const [, n] of query.matchAll(/\bdouble(\d+)\b/g)) expect(Number(n)).toBeLessThanOrEqual(point.doubles!.length);
      for (const [, n] of query.matchAll(/\bindex(\d+)\b/g)) expect(Number(n)).toBe(1);
    }
  });
});
