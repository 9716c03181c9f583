#!/usr/bin/env node
// Builds the two WebAssembly binaries next to this script from the pinned QuickJS build:
//
//   quickjs.wasm          @jitl/quickjs-wasmfile-release-sync's emscripten-module.wasm with one
//                         change: its function table is exported (as "tbl"). Nothing else differs;
//                         a custom section "edgebox" records the source package, version and
//                         SHA-256, and the change.
//   promise-tracker.wasm  35 bytes: a function of QuickJS's promise rejection tracker type
//                         (ctx i32, promise i64, reason i64, is_handled i32, opaque i32) -> ()
//                         imported from the host ("h"."t") and exported again ("t").
//
// Why: QuickJS reports promise rejections that have no handler to a host callback
// (JSRuntime.host_promise_rejection_tracker, a function-table index), which quickjs-emscripten does
// not expose, and a JavaScript function can only be placed in a table as a WebAssembly function.
// With the table exported, the engine grows it by one slot holding promise-tracker's export and
// writes that slot's index into the runtime (engine/quickjs-instance.ts, engine/snapshot.ts).
// Workers cannot compile WebAssembly at run time, so both are built here and committed.
//
//   node workers/sandbox/engine/wasm/build.mjs          # (re)write both files
//   node workers/sandbox/engine/wasm/build.mjs --check  # exit 1 if they differ from a fresh build
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const PACKAGE = "@jitl/quickjs-wasmfile-release-sync";
const TABLE_EXPORT = "tbl";

const EXPORT_SECTION = 7;
const CUSTOM_SECTION = 0;
const KIND_TABLE = 1;

function uleb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function readUleb(bytes, offset) {
  let result = 0;
  let shift = 0;
  let position = offset;
  for (;;) {
    const byte = bytes[position++];
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  return { value: result >>> 0, next: position };
}

const utf8 = (text) => [...Buffer.from(text, "utf8")];
const name = (text) => [...uleb(utf8(text).length), ...utf8(text)];
const section = (id, content) => [id, ...uleb(content.length), ...content];

/** The original module with its table exported and a provenance section appended. */
function patchEngine(original, provenance) {
  if (original.readUInt32LE(0) !== 0x6d736100 || original.readUInt32LE(4) !== 1) throw new Error("not a wasm module");
  const out = [original.subarray(0, 8)];
  let position = 8;
  let exported = false;
  let tables = 0;
  while (position < original.length) {
    const id = original[position];
    const size = readUleb(original, position + 1);
    const start = size.next;
    const end = start + size.value;
    if (id === 4) tables = readUleb(original, start).value;
    if (id === EXPORT_SECTION) {
      const count = readUleb(original, start);
      const entries = [...original.subarray(count.next, end)];
      if (Buffer.from(entries).includes(Buffer.from(name(TABLE_EXPORT)))) throw new Error(`module already exports ${TABLE_EXPORT}`);
      out.push(Buffer.from(section(EXPORT_SECTION, [...uleb(count.value + 1), ...entries, ...name(TABLE_EXPORT), KIND_TABLE, ...uleb(0)])));
      exported = true;
    } else {
      out.push(original.subarray(position, end));
    }
    position = end;
  }
  if (tables !== 1) throw new Error(`expected one table, found ${tables}`);
  if (!exported) throw new Error("no export section");
  out.push(Buffer.from(section(CUSTOM_SECTION, [...name("edgebox"), ...utf8(JSON.stringify(provenance))])));
  return Buffer.concat(out);
}

/** (module (import "h" "t" (func (param i32 i64 i64 i32 i32))) (export "t" (func 0))) */
function trackerModule() {
  const I32 = 0x7f;
  const I64 = 0x7e;
  return Buffer.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 5, I32, I64, I64, I32, I32, 0]),
    ...section(2, [1, ...name("h"), ...name("t"), 0x00, 0]),
    ...section(7, [1, ...name("t"), 0x00, 0]),
  ]);
}

function build() {
  const packageJson = require(`${PACKAGE}/package.json`);
  const sourcePath = require.resolve(`${PACKAGE}/wasm`); // the package exports dist/emscripten-module.wasm as ./wasm
  const original = readFileSync(sourcePath);
  const provenance = {
    source: `${PACKAGE}@${packageJson.version}/dist/emscripten-module.wasm`,
    sha256: createHash("sha256").update(original).digest("hex"),
    change: `function table exported as "${TABLE_EXPORT}"`,
  };
  return {
    "quickjs.wasm": patchEngine(original, provenance),
    "promise-tracker.wasm": trackerModule(),
  };
}

const check = process.argv.includes("--check");
let stale = false;
for (const [file, bytes] of Object.entries(build())) {
  const target = path.join(HERE, file);
  if (check) {
    let current = null;
    try {
      current = readFileSync(target);
    } catch {
      // missing
    }
    if (!current || !current.equals(bytes)) {
      console.error(`${file} is stale: run node ${path.relative(process.cwd(), fileURLToPath(import.meta.url))}`);
      stale = true;
    }
  } else {
    writeFileSync(target, bytes);
    console.log(`wrote ${path.relative(process.cwd(), target)} (${bytes.length} bytes)`);
  }
}
if (check && !stale) console.log("WebAssembly binaries are up to date");
process.exit(stale ? 1 : 0);
