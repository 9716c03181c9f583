// The engine binary the sandbox loads is derived from the pinned QuickJS build by
// workers/sandbox/engine/wasm/build.mjs (function table exported). It must come from the version
// installed: after a dependency bump, run `node workers/sandbox/engine/wasm/build.mjs`.
import { expect, it } from "vitest";
import installed from "@jitl/quickjs-wasmfile-release-sync/package.json";
import engine from "../../workers/sandbox/engine/wasm/quickjs.wasm";
import tracker from "../../workers/sandbox/engine/wasm/promise-tracker.wasm";

it("is the installed QuickJS build with only its table exported", () => {
  const [section] = WebAssembly.Module.customSections(engine, "edgebox");
  expect(section).toBeDefined();
  const provenance = JSON.parse(new TextDecoder().decode(section)) as { source: string; change: string };
  expect(provenance.source).toBe(`@jitl/quickjs-wasmfile-release-sync@${installed.version}/dist/emscripten-module.wasm`);
  expect(provenance.change).toBe('function table exported as "tbl"');
  expect(WebAssembly.Module.exports(engine).filter((e) => e.kind !== "function")).toEqual([{ name: "tbl", kind: "table" }]);
  expect(WebAssembly.Module.imports(tracker)).toEqual([{ module: "h", name: "t", kind: "function" }]);
  expect(WebAssembly.Module.exports(tracker)).toEqual([{ name: "t", kind: "function" }]);
});
