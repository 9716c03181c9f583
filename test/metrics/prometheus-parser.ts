// A strict parser for the Prometheus text exposition format 0.0.4, written from the format's
// specification (https://prometheus.io/docs/instrumenting/exposition_formats/), to check that
// GET /metrics is valid. It throws on the first violation, naming the line.
//
// Checked:
// - lines end with "\n" (the last one too); empty lines are allowed and ignored;
// - `# HELP <name> <docstring>` (escapes \\ and \n only) and `# TYPE <name> <type>` at most once per
//   name, TYPE before any sample of the family; other `#` lines are comments;
// - a sample is `name[{labels}] value [timestamp]`; names match [a-zA-Z_:][a-zA-Z0-9_:]*, label
//   names [a-zA-Z_][a-zA-Z0-9_]* and not "__…"; label values are double-quoted with only \\, \" and
//   \n escapes; a label name appears once per sample; values are Go floats (incl. NaN, ±Inf);
// - every sample belongs to a family (histogram/summary samples via _bucket/_sum/_count) and a
//   family's samples are contiguous; no two samples have the same name and label set;
// - counters are ≥ 0 (or NaN); histograms: per label set, `le` bounds ascending with cumulative
//   counts that never decrease, an le="+Inf" bucket equal to _count, and a _sum; summaries: per
//   label set, quantile labels in [0, 1], a _sum and a _count; gauge and counter samples carry no
//   `le`/`quantile` requirements.

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  line: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help: string | null;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(["counter", "gauge", "histogram", "summary", "untyped"]);
const FLOAT = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Inf|inf|NaN|nan)$/;

function fail(line: number, message: string): never {
  throw new Error(`line ${line}: ${message}`);
}

export function parseFloatGo(text: string, line: number): number {
  if (!FLOAT.test(text)) fail(line, `invalid value '${text}'`);
  if (/^[+]?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  return Number(text);
}

function unescapeHelp(text: string, line: number): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    return fail(line, `invalid escape '\\${c}' in HELP`);
  });
}

/** Parses `{a="x",b="y"}` starting at `start` (the "{"); returns the labels and the index after "}". */
function parseLabels(text: string, start: number, line: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    if (text[i] === "}") return { labels, end: i + 1 };
    const nameMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (!nameMatch) fail(line, `invalid label name at column ${i + 1}`);
    const name = nameMatch[0];
    if (!LABEL_NAME.test(name) || name.startsWith("__")) fail(line, `invalid label name '${name}'`);
    if (name in labels) fail(line, `label '${name}' appears twice`);
    i += name.length;
    if (text[i] !== "=" || text[i + 1] !== '"') fail(line, `expected ="…" after label '${name}'`);
    i += 2;
    let value = "";
    for (;;) {
      const c = text[i];
      if (c === undefined) fail(line, "unterminated label value");
      if (c === '"') break;
      if (c === "\n") fail(line, "raw line feed in label value");
      if (c === "\\") {
        const next = text[i + 1];
        if (next === "\\") value += "\\";
        else if (next === '"') value += '"';
        else if (next === "n") value += "\n";
        else fail(line, `invalid escape '\\${next ?? ""}' in label value`);
        i += 2;
        continue;
      }
      value += c;
      i += 1;
    }
    labels[name] = value;
    i += 1;
    if (text[i] === ",") {
      i += 1;
      continue;
    }
    if (text[i] !== "}") fail(line, `expected , or } after label '${name}'`);
  }
}

function parseSample(text: string, line: number): Sample {
  const nameMatch = /^[^\s{]+/.exec(text);
  if (!nameMatch) fail(line, "missing metric name");
  const name = nameMatch[0];
  if (!METRIC_NAME.test(name)) fail(line, `invalid metric name '${name}'`);
  let rest = text.slice(name.length);
  let labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    const parsed = parseLabels(rest, 0, line);
    labels = parsed.labels;
    rest = rest.slice(parsed.end);
  }
  if (!/^[ \t]+/.test(rest)) fail(line, "expected whitespace before the value");
  const fields = rest.trim().split(/[ \t]+/);
  if (fields.length < 1 || fields.length > 2) fail(line, "expected a value and an optional timestamp");
  const value = parseFloatGo(fields[0], line);
  if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) fail(line, `invalid timestamp '${fields[1]}'`);
  return { name, labels, value, line };
}

function seriesKey(name: string, labels: Record<string, string>, omit?: string): string {
  const pairs = Object.entries(labels)
    .filter(([k]) => k !== omit)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `${name}{${pairs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}}`;
}

/** The family a sample name belongs to, given the declared types. */
function familyOf(name: string, types: Map<string, MetricType>): string {
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const type = types.get(base);
    if (type === "histogram" || (type === "summary" && suffix !== "_bucket")) return base;
  }
  return name;
}

export function parsePrometheus(text: string): Map<string, Family> {
  if (text.length > 0 && !text.endsWith("\n")) throw new Error("the exposition must end with a line feed");
  const families = new Map<string, Family>();
  const types = new Map<string, MetricType>();
  const finished = new Set<string>();
  const seen = new Set<string>();
  let current: string | null = null;
  const lines = text.split("\n");
  lines.pop(); // after the final "\n"

  const family = (name: string): Family => {
    let found = families.get(name);
    if (!found) {
      found = { name, type: types.get(name) ?? "untyped", help: null, samples: [] };
      families.set(name, found);
    }
    return found;
  };
  const enter = (name: string, line: number) => {
    if (current !== name) {
      if (current !== null) finished.add(current);
      if (finished.has(name)) fail(line, `samples of '${name}' are not contiguous`);
      current = name;
    }
  };

  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    if (raw.startsWith("#")) {
      const match = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(raw);
      if (!match) return; // a comment
      const [, keyword, name, rest = ""] = match;
      if (!METRIC_NAME.test(name)) fail(line, `invalid metric name '${name}'`);
      const fam = family(name);
      if (keyword === "HELP") {
        if (fam.help !== null) fail(line, `second HELP for '${name}'`);
        fam.help = unescapeHelp(rest, line);
      } else {
        if (types.has(name)) fail(line, `second TYPE for '${name}'`);
        if (fam.samples.length > 0) fail(line, `TYPE for '${name}' after its samples`);
        if (!TYPES.has(rest.trim() as MetricType)) fail(line, `unknown type '${rest}'`);
        types.set(name, rest.trim() as MetricType);
        fam.type = rest.trim() as MetricType;
      }
      enter(name, line);
      return;
    }
    const sample = parseSample(raw, line);
    const name = familyOf(sample.name, types);
    enter(name, line);
    const key = seriesKey(sample.name, sample.labels);
    if (seen.has(key)) fail(line, `duplicate series ${key}`);
    seen.add(key);
    family(name).samples.push(sample);
  });

  for (const fam of families.values()) validateFamily(fam);
  return families;
}

function validateFamily(fam: Family): void {
  if (fam.type === "counter") {
    for (const s of fam.samples) {
      if (s.value < 0) fail(s.line, `counter '${s.name}' is negative`);
      if ("le" in s.labels || "quantile" in s.labels) fail(s.line, "a counter with an le/quantile label");
    }
  }
  if (fam.type === "histogram") {
    const groups = new Map<string, { buckets: Array<{ le: number; count: number; line: number }>; sum?: number; count?: number; line: number }>();
    for (const s of fam.samples) {
      const key = seriesKey(fam.name, s.labels, "le");
      const group = groups.get(key) ?? { buckets: [], line: s.line };
      groups.set(key, group);
      if (s.name === `${fam.name}_bucket`) {
        if (!("le" in s.labels)) fail(s.line, "histogram bucket without le");
        group.buckets.push({ le: parseFloatGo(s.labels.le, s.line), count: s.value, line: s.line });
      } else if (s.name === `${fam.name}_sum`) group.sum = s.value;
      else if (s.name === `${fam.name}_count`) group.count = s.value;
      else fail(s.line, `'${s.name}' in histogram '${fam.name}'`);
    }
    for (const [key, group] of groups) {
      if (group.buckets.length === 0) fail(group.line, `${key}: histogram without buckets`);
      for (let i = 1; i < group.buckets.length; i++) {
        if (!(group.buckets[i].le > group.buckets[i - 1].le)) fail(group.buckets[i].line, `${key}: le bounds do not ascend`);
        if (group.buckets[i].count < group.buckets[i - 1].count) fail(group.buckets[i].line, `${key}: bucket counts decrease`);
      }
      const last = group.buckets[group.buckets.length - 1];
      if (last.le !== Infinity) fail(last.line, `${key}: no le="+Inf" bucket`);
      if (group.count === undefined) fail(group.line, `${key}: no _count`);
      if (group.sum === undefined) fail(group.line, `${key}: no _sum`);
      if (group.count !== last.count) fail(last.line, `${key}: +Inf bucket ${last.count} ≠ _count ${group.count}`);
    }
  }
  if (fam.type === "summary") {
    const groups = new Map<string, { sum?: number; count?: number; line: number }>();
    for (const s of fam.samples) {
      const key = seriesKey(fam.name, s.labels, "quantile");
      const group = groups.get(key) ?? { line: s.line };
      groups.set(key, group);
      if (s.name === fam.name) {
        if (!("quantile" in s.labels)) fail(s.line, "summary sample without quantile");
        const q = parseFloatGo(s.labels.quantile, s.line);
        if (!(q >= 0 && q <= 1)) fail(s.line, `quantile ${s.labels.quantile} outside [0, 1]`);
      } else if (s.name === `${fam.name}_sum`) group.sum = s.value;
      else if (s.name === `${fam.name}_count`) group.count = s.value;
      else fail(s.line, `'${s.name}' in summary '${fam.name}'`);
    }
    for (const [key, group] of groups) {
      if (group.count === undefined || group.sum === undefined) fail(group.line, `${key}: summary without _sum and _count`);
    }
  }
}

/** The value of one series (exact label match), or undefined. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const fam of families.values()) {
    for (const s of fam.samples) {
      if (s.name !== name) continue;
      const keys = Object.keys(s.labels);
      if (keys.length === Object.keys(labels).length && keys.every((k) => s.labels[k] === labels[k])) return s.value;
    }
  }
  return undefined;
}
