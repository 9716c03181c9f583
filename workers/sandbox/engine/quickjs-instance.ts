// One QuickJS WebAssembly instance per execution.
//
// The compiled WebAssembly.Module is imported once per isolate (workerd compiles `.wasm` imports at
// deploy/load time); what we create per execution is a new *instance* with its own linear memory.
// Measured here: ~0.3-1.5 ms per instance after the first (which pays ~25 ms of lazy compilation),
// against ~0.2 ms for a fresh runtime+context in a shared instance. In exchange:
//   - memory limits are exact (see heap-governor.ts: a shared, fragmented heap cannot be metered),
//   - nothing a program leaves in linear memory (freed strings, stdin, source) is visible to the
//     next one, even through an engine memory-safety bug,
//   - an engine fault (abort, trap, a host stack overflow unwinding through wasm frames) poisons
//     only the instance of the run that caused it; the next run starts clean by construction.
import variant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSWASMModule } from "quickjs-emscripten-core";
import wasmModule from "../../../node_modules/@jitl/quickjs-wasmfile-release-sync/dist/emscripten-module.wasm";
import { HeapGovernor, INITIAL_MEMORY_BYTES, WASM_PAGE_BYTES } from "./heap-governor";

/** The module's name for `emscripten_resize_heap` in its import object (minified by Emscripten). */
const RESIZE_HEAP_IMPORT = "k";

export interface EngineInstance {
  module: QuickJSWASMModule;
  governor: HeapGovernor;
  /** The allocator's malloc/free, for heap probes and the balloon. */
  malloc(bytes: number): number;
  free(pointer: number): void;
  /** Set when Emscripten aborted (the instance must not be used again). */
  readonly aborted: boolean;
}

interface EmscriptenInternals {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

/**
 * Creates a fresh instance whose heap may never exceed `hardMaxHeapBytes` of linear memory (a
 * backstop; the per-run budget is armed later through `governor.arm`). `recycled` is an all-zero
 * memory from the pool (memory-pool.ts), created earlier with the same maximum.
 */
export async function createEngineInstance(hardMaxHeapBytes: number, recycled?: WebAssembly.Memory): Promise<EngineInstance> {
  const maximumPages = Math.ceil(Math.max(hardMaxHeapBytes, INITIAL_MEMORY_BYTES) / WASM_PAGE_BYTES);
  const memory = recycled ?? new WebAssembly.Memory({ initial: INITIAL_MEMORY_BYTES / WASM_PAGE_BYTES, maximum: maximumPages });
  const governor = new HeapGovernor(memory, maximumPages * WASM_PAGE_BYTES);
  let aborted = false;
  let failInstantiation: (error: unknown) => void = () => {};
  const instantiationFailed = new Promise<never>((_, reject) => {
    failInstantiation = reject;
  });

  const loading = newQuickJSWASMModuleFromVariant(
    newVariant(variant, {
      wasmMemory: memory,
      emscriptenModule: {
        // Our own instantiation (instead of the `wasmModule` option) so we can wrap the allocator's
        // resize-heap import. A failed instantiate would otherwise leave Emscripten waiting forever.
        instantiateWasm(imports: WebAssembly.Imports, onSuccess: (instance: WebAssembly.Instance) => void) {
          const env = imports.a as Record<string, WebAssembly.ImportValue>;
          const resize = env[RESIZE_HEAP_IMPORT];
          if (typeof resize !== "function") {
            failInstantiation(new Error("unexpected QuickJS build: resize-heap import not found"));
            return {};
          }
          env[RESIZE_HEAP_IMPORT] = governor.wrapResizeHeap(resize as (requested: number) => number);
          WebAssembly.instantiate(wasmModule, imports).then(
            (instance) => onSuccess(instance),
            (error) => failInstantiation(error),
          );
          return {};
        },
        // Printing from C (there is none in normal operation) must never reach the host console.
        print: () => {},
        printErr: () => {},
        onAbort: () => {
          aborted = true;
        },
      } as never,
    }),
  );
  const module = await Promise.race([loading, instantiationFailed]);
  const internals = (module as unknown as { module: EmscriptenInternals }).module;
  return {
    module,
    governor,
    malloc: (bytes) => internals._malloc(bytes),
    free: (pointer) => internals._free(pointer),
    get aborted() {
      return aborted;
    },
  };
}
