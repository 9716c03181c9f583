// QuickJS WebAssembly instances.
//
// The compiled WebAssembly.Module is imported once per isolate (workerd compiles `.wasm` imports at
// deploy/load time); an instance is that module linked to its own linear memory. Instantiating costs
// ~1 ms (the first one ~25 ms of lazy compilation), so instances are kept in a small pool
// (engine-pool.ts) and every run starts from a byte-identical copy of the engine snapshot
// (snapshot.ts) written over the instance's whole memory. The module's only mutable state outside
// its memory is the stack pointer global, which is back at its initial value whenever no call is in
// progress (checked after every run through `stackPointer()`). So each run still gets:
//   - an exactly metered heap (see heap-governor.ts: a shared, fragmented heap cannot be metered),
//   - no trace of any earlier program in linear memory (freed strings, stdin, source), even through
//     an engine memory-safety bug,
//   - containment of engine faults (abort, trap, a host stack overflow unwinding through wasm
//     frames): the instance of the run that faulted is dropped, never reused.
import variant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSWASMModule } from "quickjs-emscripten-core";
import wasmModule from "../../../node_modules/@jitl/quickjs-wasmfile-release-sync/dist/emscripten-module.wasm";
import { HeapGovernor, INITIAL_MEMORY_BYTES, WASM_PAGE_BYTES } from "./heap-governor";

/** The module's name for `emscripten_resize_heap` in its import object (minified by Emscripten). */
const RESIZE_HEAP_IMPORT = "k";
/** The module's export for `stackSave` (reads the stack pointer global), minified by Emscripten. */
const STACK_SAVE_EXPORT = "Oa";

export interface EngineInstance {
  module: QuickJSWASMModule;
  governor: HeapGovernor;
  /** The allocator's malloc/free, for heap probes and the balloon. */
  malloc(bytes: number): number;
  free(pointer: number): void;
  /** The C stack pointer (a wasm global): constant whenever no call into the engine is running. */
  stackPointer(): number;
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
  let stackSave: () => number = () => -1;
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
            (instance) => {
              const exported = instance.exports[STACK_SAVE_EXPORT];
              if (typeof exported !== "function") {
                failInstantiation(new Error("unexpected QuickJS build: stackSave export not found"));
                return;
              }
              stackSave = exported as () => number;
              onSuccess(instance);
            },
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
    stackPointer: () => stackSave(),
    get aborted() {
      return aborted;
    },
  };
}
