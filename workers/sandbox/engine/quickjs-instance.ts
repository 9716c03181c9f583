// QuickJS WebAssembly instances.
//
// The compiled WebAssembly.Module is imported once per isolate (workerd compiles `.wasm` imports at
// deploy/load time); an instance is that module linked to its own linear memory. Instantiating costs
// ~1 ms (the first one ~25 ms of lazy compilation), so instances are kept in a small pool
// (engine-pool.ts) and every run starts from a byte-identical copy of the engine snapshot
// (snapshot.ts) written over the instance's whole memory. The module's only mutable state outside
// its memory is the stack pointer global, which is back at its initial value whenever no call is in
// progress (checked after every run through `stackPointer()`), and its function table, to which
// the host adds one entry at instantiation (the rejection tracker) and which nothing changes after
// that. So each run still gets:
//   - an exactly metered heap (see heap-governor.ts: a shared, fragmented heap cannot be metered),
//   - no trace of any earlier program in linear memory (freed strings, stdin, source), even through
//     an engine memory-safety bug,
//   - containment of engine faults (abort, trap, a host stack overflow unwinding through wasm
//     frames): the instance of the run that faulted is dropped, never reused.
import variant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSWASMModule } from "quickjs-emscripten-core";
// The pinned build's module with its function table exported, and a one-function module whose
// export the table gets, for QuickJS's promise rejection tracker (both built by wasm/build.mjs).
import wasmModule from "./wasm/quickjs.wasm";
import trackerModule from "./wasm/promise-tracker.wasm";
import { HeapGovernor, INITIAL_MEMORY_BYTES, WASM_PAGE_BYTES } from "./heap-governor";

/** The module's name for `emscripten_resize_heap` in its import object (minified by Emscripten). */
const RESIZE_HEAP_IMPORT = "k";
/** The module's export for `stackSave` (reads the stack pointer global), minified by Emscripten. */
const STACK_SAVE_EXPORT = "Oa";
/** The function table, exported by wasm/build.mjs. */
const TABLE_EXPORT = "tbl";

/**
 * QuickJS's promise rejection tracker, as the engine calls it: `promise` and `reason` are raw
 * JSValues (NaN-boxed 64-bit, only valid during the call); `handled` is false when a promise is
 * rejected with no handler, true when a handler is later added to such a promise.
 */
export type RejectionTracker = (promise: bigint, reason: bigint, handled: boolean) => void;

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
  /** Function-table index of the rejection tracker (the same in every instance of the module). */
  readonly trackerIndex: number;
  /** Receives the engine's rejection tracker calls (installed in a runtime by snapshot.ts). */
  onPromiseRejection: RejectionTracker | null;
}

interface EmscriptenInternals {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

/**
 * Creates a fresh instance whose heap may never exceed `hardMaxHeapBytes` of linear memory (a
 * backstop; the per-run budget is armed later through `governor.arm`).
 */
export async function createEngineInstance(hardMaxHeapBytes: number): Promise<EngineInstance> {
  const maximumPages = Math.ceil(Math.max(hardMaxHeapBytes, INITIAL_MEMORY_BYTES) / WASM_PAGE_BYTES);
  const memory = new WebAssembly.Memory({ initial: INITIAL_MEMORY_BYTES / WASM_PAGE_BYTES, maximum: maximumPages });
  const governor = new HeapGovernor(memory, maximumPages * WASM_PAGE_BYTES);
  let aborted = false;
  let stackSave: () => number = () => -1;
  let trackerIndex = -1;
  let onPromiseRejection: RejectionTracker | null = null;
  const trackerImports = {
    h: {
      t: (_context: number, promise: bigint, reason: bigint, handled: number) => onPromiseRejection?.(promise, reason, handled !== 0),
    },
  };
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
          Promise.all([WebAssembly.instantiate(wasmModule, imports), WebAssembly.instantiate(trackerModule, trackerImports)]).then(
            ([instance, tracker]) => {
              const exported = instance.exports[STACK_SAVE_EXPORT];
              const table = instance.exports[TABLE_EXPORT];
              if (typeof exported !== "function" || !(table instanceof WebAssembly.Table)) {
                failInstantiation(new Error("unexpected QuickJS build: stackSave or table export not found"));
                return;
              }
              stackSave = exported as () => number;
              // One new slot at the end of the table (never touched by the engine or Emscripten).
              trackerIndex = table.grow(1);
              table.set(trackerIndex, tracker.exports.t as () => void);
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
    trackerIndex,
    get onPromiseRejection() {
      return onPromiseRejection;
    },
    set onPromiseRejection(tracker: RejectionTracker | null) {
      onPromiseRejection = tracker;
    },
  };
}
