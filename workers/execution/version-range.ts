// The subset of npm-style semver ranges that Piston clients send as `version`: "*", exact
// ("18.15.0"), partial ("18", "18.15", "18.x"), caret/tilde ("^18.1", "~18.15.0"), comparators
// (">=18 <19") and alternatives ("16 || 18"). Prerelease tags are not used by any runtime here.

type Triple = [number, number, number];

function parseVersion(version: string): Triple | null {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(version.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

function compare(a: Triple, b: Triple): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** A partial version: the numbers given, then the first wildcard ends it. */
function parsePartial(text: string): number[] | null {
  const parts = text.replace(/^v/, "").split(".");
  if (parts.length > 3) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    if (part === "x" || part === "X" || part === "*") break;
    if (!/^\d+$/.test(part)) return null;
    numbers.push(Number(part));
  }
  return numbers;
}

/** [lower inclusive, upper exclusive] bounds of a partial version; null upper = unbounded. */
function partialBounds(parts: number[]): [Triple, Triple | null] {
  const lower: Triple = [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
  if (parts.length === 0) return [lower, null];
  if (parts.length === 3) return [lower, [parts[0], parts[1], parts[2] + 1]];
  const upper: Triple = [...lower];
  upper[parts.length - 1] += 1;
  return [lower, upper];
}

function satisfiesComparator(version: Triple, comparator: string): boolean | null {
  const match = /^(\^|~|>=|<=|>|<|=)?\s*(.+)$/.exec(comparator);
  if (!match) return null;
  const [, operator = "", rest] = match;
  const parts = parsePartial(rest);
  if (parts === null) return null;
  const [lower, upper] = partialBounds(parts);
  switch (operator) {
    case "":
    case "=":
      return compare(version, lower) >= 0 && (upper === null || compare(version, upper) < 0);
    case ">=":
      return compare(version, lower) >= 0;
    case "<":
      return compare(version, lower) < 0;
    case ">":
      return upper === null ? false : compare(version, upper) >= 0;
    case "<=":
      return upper === null ? true : compare(version, upper) < 0;
    case "^": {
      // ^1.2.3 := >=1.2.3 <2.0.0; ^0.2.3 := <0.3.0; ^0.0.3 := <0.0.4 (first non-zero part is fixed).
      if (compare(version, lower) < 0) return false;
      const fixed = lower.findIndex((n, i) => n !== 0 || i === parts.length - 1);
      const index = fixed === -1 ? 0 : Math.min(fixed, Math.max(parts.length - 1, 0));
      const ceiling: Triple = [0, 0, 0];
      for (let i = 0; i < index; i++) ceiling[i] = lower[i];
      ceiling[index] = lower[index] + 1;
      return compare(version, ceiling) < 0;
    }
    case "~": {
      // ~1.2.3 := >=1.2.3 <1.3.0; ~1 := >=1.0.0 <2.0.0.
      if (compare(version, lower) < 0) return false;
      const ceiling: Triple = parts.length <= 1 ? [lower[0] + 1, 0, 0] : [lower[0], lower[1] + 1, 0];
      return compare(version, ceiling) < 0;
    }
  }
  return null;
}

/** True when `version` (x.y.z) is inside `range`; malformed ranges match nothing. */
export function satisfies(version: string, range: string): boolean {
  const parsed = parseVersion(version);
  if (!parsed) return false;
  return range.split("||").some((alternative) => {
    const trimmed = alternative.trim();
    if (trimmed === "" || trimmed === "*" || trimmed.toLowerCase() === "x" || trimmed === "latest") return true;
    const comparators = trimmed.replace(/(>=|<=|>|<|=|\^|~)\s+/g, "$1").split(/\s+/);
    return comparators.every((comparator) => satisfiesComparator(parsed, comparator) === true);
  });
}

/** Highest version first, like Piston's get_latest_runtime_matching_language_version. */
export function compareVersionsDescending(a: string, b: string): number {
  const left = parseVersion(a);
  const right = parseVersion(b);
  if (!left || !right) return 0;
  return compare(right, left);
}
