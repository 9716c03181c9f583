// Parsing is most of a run's fixed cost (~0.08 ms per KB of prelude), so the VM-side sources are
// stored without indentation and comment-only lines. Safe for these sources because none of them
// contains a multi-line string or template literal (they are written without backticks).
export function compactSource(source: string): string {
  return source
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("//"))
    .join("\n");
}
