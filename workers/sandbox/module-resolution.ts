// Node-style module resolution over the program's virtual files. Pure: no engine, no I/O.

/** Directory the program's files live in; `process.argv[1]` is the entry file inside it. */
export const SANDBOX_ROOT = "/sandbox";

/** Extensions tried, in order, for `require('./x')` / `import './x'` (Node order, then TypeScript). */
export const PROBE_EXTENSIONS = [".js", ".ts", ".mjs", ".cjs", ".json", ".mts", ".cts"];

/** Node builtins the sandbox provides (resolved by name, with or without the `node:` prefix). */
export const PROVIDED_BUILTINS = new Set([
  "assert",
  "assert/strict",
  "buffer",
  "console",
  "crypto",
  "events",
  "fs",
  "fs/promises",
  "os",
  "path",
  "path/posix",
  "perf_hooks",
  "process",
  "readline",
  "readline/promises",
  "string_decoder",
  "timers",
  "timers/promises",
  "util",
  "util/types",
]);

/** Node builtins that exist in Node but not here: they fail with a clear message. */
export const UNAVAILABLE_BUILTINS = new Set([
  "async_hooks",
  "child_process",
  "cluster",
  "dgram",
  "diagnostics_channel",
  "dns",
  "dns/promises",
  "domain",
  "http",
  "http2",
  "https",
  "inspector",
  "module",
  "net",
  "punycode",
  "querystring",
  "repl",
  "sea",
  "sqlite",
  "stream",
  "stream/promises",
  "stream/web",
  "sys",
  "test",
  "tls",
  "trace_events",
  "tty",
  "url",
  "v8",
  "vm",
  "wasi",
  "worker_threads",
  "zlib",
]);

export type Resolution =
  | { kind: "file"; path: string }
  | { kind: "builtin"; name: string }
  | { kind: "unavailable"; name: string }
  | { kind: "missing" };

/** Normalizes a user-supplied file name to an absolute path under SANDBOX_ROOT. */
export function sandboxPath(name: string): string {
  return normalizePath(`${SANDBOX_ROOT}/${name.replace(/\\/g, "/")}`);
}

/** Collapses `.`, `..` and repeated slashes; never climbs above `/`. */
export function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

export function dirname(path: string): string {
  const cut = path.lastIndexOf("/");
  return cut <= 0 ? "/" : path.slice(0, cut);
}

function resolveAsFile(base: string, files: ReadonlySet<string>): string | undefined {
  if (files.has(base)) return base;
  for (const ext of PROBE_EXTENSIONS) if (files.has(base + ext)) return base + ext;
  // TypeScript convention: `import "./util.js"` refers to util.ts.
  const tsTwin = base.replace(/\.(m|c)?js$/, ".$1ts");
  if (tsTwin !== base && files.has(tsTwin)) return tsTwin;
  return undefined;
}

function resolveAsDirectory(
  dir: string,
  files: ReadonlySet<string>,
  readFile: (path: string) => string | undefined,
): string | undefined {
  const manifest = readFile(`${dir}/package.json`);
  if (manifest !== undefined) {
    try {
      const main = (JSON.parse(manifest) as { main?: unknown }).main;
      if (typeof main === "string") {
        const target = normalizePath(`${dir}/${main}`);
        const found = resolveAsFile(target, files) ?? resolveAsFile(`${target}/index`, files);
        if (found) return found;
      }
    } catch {
      // A broken package.json falls back to index files, as Node does.
    }
  }
  return resolveAsFile(`${dir}/index`, files);
}

/**
 * Resolves `specifier` as required/imported from the file `fromPath`.
 * `files` holds the absolute paths of the program's files; `readFile` reads one (for package.json).
 */
export function resolveModule(
  specifier: string,
  fromPath: string,
  files: ReadonlySet<string>,
  readFile: (path: string) => string | undefined = () => undefined,
): Resolution {
  const bare = specifier.startsWith("node:") ? specifier.slice(5) : specifier;
  if (PROVIDED_BUILTINS.has(bare)) return { kind: "builtin", name: bare };
  if (UNAVAILABLE_BUILTINS.has(bare)) return { kind: "unavailable", name: bare };
  if (specifier.startsWith("node:")) return { kind: "missing" };

  if (specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/") || specifier === "." || specifier === "..") {
    const target = specifier.startsWith("/") ? normalizePath(specifier) : normalizePath(`${dirname(fromPath)}/${specifier}`);
    const found = resolveAsFile(target, files) ?? resolveAsDirectory(target, files, readFile);
    return found ? { kind: "file", path: found } : { kind: "missing" };
  }

  // Bare specifier: look for node_modules folders among the program's own files.
  for (let dir = dirname(fromPath); ; dir = dirname(dir)) {
    const base = normalizePath(`${dir}/node_modules/${specifier}`);
    const found = resolveAsFile(base, files) ?? resolveAsDirectory(base, files, readFile);
    if (found) return { kind: "file", path: found };
    if (dir === "/") break;
  }
  return { kind: "missing" };
}
