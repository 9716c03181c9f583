import { isError, statusClass, type RequestRecord } from "./rollup";

// One Workers Analytics Engine data point per finished request, for the production dashboards
// (grafana/edgebox-dashboard.json). The layout below is a contract with every query written
// against the dataset: append new fields at the end, never reorder or reuse a position.
// docs/metrics.md has the same table.
//
// index1  tenant id ("-" for none): the sampling key, so a busy tenant cannot crowd out others
//
// blob1   route ("POST /v1/executions"; "unmatched" for 404s)
// blob2   HTTP status class ("2xx" … "5xx")
// blob3   runtime language ("" when nothing ran)
// blob4   runtime version
// blob5   region (X-Edgebox-Region; "" when none)
// blob6   backend (X-Edgebox-Backend; "" on cache hits and non-executions)
// blob7   cache outcome ("L1", "L2", "L3", "miss", "bypass"; "" when not an execution)
// blob8   execution status ("ok", "runtime_error", …, "internal_error"; "" when none)
// blob9   error kind ("" | "http_5xx" | "internal_error"), see rollup.ts isError
// blob10  colo (request.cf.colo; "" when unknown)
//
// double1  HTTP status code
// double2  latency, ms (request start to response, as the Worker measures it)
// double3  program CPU time, ms (0 when no program ran: cache hits, non-executions)
// double4  program peak memory, bytes (0 when no program ran)
// double5  request bytes (Content-Length; 0 when absent)
// double6  response bytes (Content-Length when known; 0 otherwise)
// double7  error (1/0)
// double8  cache hit (1/0): L1, L2 or L3
// double9  cache lookup (1/0): a hit or a miss (bypasses did not look up)
// double10 backends tried (0 when nothing ran, 2+ after retries)

export const AE_DATASET = "edgebox_requests";

/** Analytics Engine limits: an index is at most 96 bytes; blobs together at most 16 KB. */
const MAX_INDEX_CHARS = 96;
const MAX_BLOB_CHARS = 256;

function clip(value: string | null | undefined, max = MAX_BLOB_CHARS): string {
  if (!value) return "";
  return value.length > max ? value.slice(0, max) : value;
}

/** An index value within 96 UTF-8 bytes (a character is at most 4 bytes). */
function indexValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(value) ? clip(value, MAX_INDEX_CHARS) : clip(value, MAX_INDEX_CHARS / 4);
}

export function dataPoint(record: RequestRecord): AnalyticsEngineDataPoint {
  const error = isError(record);
  const errorKind = !error ? "" : record.status >= 500 ? "http_5xx" : "internal_error";
  const hit = record.cache === "L1" || record.cache === "L2" || record.cache === "L3";
  const lookup = hit || record.cache === "miss";
  return {
    indexes: [indexValue(record.tenant || "-")],
    blobs: [
      clip(record.route),
      statusClass(record.status),
      clip(record.runtime),
      clip(record.runtimeVersion),
      clip(record.region),
      clip(record.backend),
      record.cache ?? "",
      clip(record.executionStatus),
      errorKind,
      clip(record.colo),
    ],
    doubles: [
      record.status,
      record.latencyMs,
      record.cpuMs,
      record.memoryBytes,
      record.requestBytes,
      record.responseBytes,
      error ? 1 : 0,
      hit ? 1 : 0,
      lookup ? 1 : 0,
      record.attempts,
    ],
  };
}

/**
 * Writes the request's data point when the METRICS binding exists (it is absent in unit tests and
 * wherever the dataset is not bound). writeDataPoint does not block or throw for the request;
 * anything unexpected is swallowed: metrics must never fail a request.
 */
export function writeRequestDataPoint(dataset: AnalyticsEngineDataset | undefined, record: RequestRecord): boolean {
  if (!dataset || typeof dataset.writeDataPoint !== "function") return false;
  try {
    dataset.writeDataPoint(dataPoint(record));
    return true;
  } catch {
    return false;
  }
}
