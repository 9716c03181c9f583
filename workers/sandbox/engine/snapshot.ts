// The engine snapshot: a QuickJS runtime + context with the prelude evaluated and the builtin
// modules compiled, taken once per isolate as a copy of the instance's linear memory, and written
// over an instance's whole memory before every run.
//
// Setting up an engine from nothing cost ~3.3 ms per run (measured under the workers pool:
// instantiate 1.0 ms, runtime + context 0.2 ms, parsing and running the prelude 2.1 ms; more for
// every builtin a program loaded); restoring the snapshot costs ~0.05-0.1 ms. Isolation is unchanged: every run starts from the same bytes, and
// the restore covers the whole memory (everything outside the snapshot's non-zero stretches is
// zeroed), so nothing a run leaves behind survives it. The instance's only other mutable state is
// the C stack pointer (a wasm global), which is the same at every call boundary and is checked
// before an instance is reused (engine-pool.ts).
//
// Per run, on top of the bytes: new quickjs-emscripten wrappers (QuickJSRuntime, QuickJSContext)
// around the snapshot's runtime and context pointers, so the host side starts empty too (host
// function table, handles), and a fresh seed for Math.random (the engine seeds it once, when the
// context is created, so a snapshot would otherwise give every run the same sequence).
import { Lifetime, QuickJSRuntime, type QuickJSContext } from "quickjs-emscripten-core";
import { clearTopChunk, probeHeapEnd } from "./heap";
import type { EngineInstance } from "./quickjs-instance";

/**
 * Byte offset of `random_state` (the xorshift64* state behind Math.random, a uint64) in QuickJS
 * 2025-09-13's JSContext, wasm32 build, found by watching which word a Math.random() call changes.
 * Verified whenever a snapshot is taken (`verifyRandomState`); a different layout fails loudly.
 */
const RANDOM_STATE_OFFSET = 224;
/**
 * Byte offsets of `host_promise_rejection_tracker` (a function-table index) and its `opaque`
 * argument in JSRuntime, same build, read off the engine's code: the call in perform_promise_then
 * loads them from the runtime at these offsets. Verified when the snapshot is taken.
 */
const REJECTION_TRACKER_OFFSET = 160;
const REJECTION_TRACKER_OPAQUE_OFFSET = 164;
/** Granularity of the snapshot's non-zero stretches. */
const SEGMENT_GRANULE_BYTES = 4096;
/**
 * How far below the engine's own stack limit a run may still have written the C stack (frames
 * the engine does not check, e.g. between two checks). Generous: QuickJS checks at every call,
 * parse step and regexp recursion, and its frames are at most a few KiB.
 */
export const STACK_MARGIN_BYTES = 1024 * 1024;
/** Bytes just below that window that must still be zero after a run, or the whole stack is restored. */
export const STACK_GUARD_BYTES = 64 * 1024;

/** A byte range of a memory known to be all zeros (a run's balloon payload, the stack it could not reach). */
export interface UntouchedRange {
  start: number;
  end: number;
}

export interface SnapshotSegment {
  start: number;
  bytes: Uint8Array;
}

export interface EngineSnapshot {
  /** The non-zero stretches of the memory, in address order; everything else is zero. */
  readonly segments: readonly SnapshotSegment[];
  readonly runtimePointer: number;
  readonly contextPointer: number;
  /**
   * A run's setup bytes are counted from here: the heap end before the runtime was created, plus
   * the heap of the shared code (compiled builtins), which is not the run's.
   */
  readonly heapStart: number;
  /** The C stack pointer between calls. */
  readonly stackPointer: number;
  /**
   * The stack's never-used part: the all-zero stretch of the snapshot nearest below the stack
   * pointer (the stack grows down). Null if there is none.
   */
  readonly stackGap: UntouchedRange | null;
  /** The function-table slot the runtime's rejection tracker points at. */
  readonly trackerIndex: number;
}

/** What goes into the snapshot besides a bare runtime and context. */
export interface SnapshotSetup {
  /** State every run starts with; its heap counts as each run's setup memory. */
  environment(context: QuickJSContext): void;
  /** Code shared by all runs (compiled builtins); its heap is not counted as a run's memory. */
  sharedCode?(context: QuickJSContext): void;
}

/**
 * Creates a runtime and a context in `instance` (which must be fresh), runs `setup` on the
 * context, and captures the memory. The instance's memory is then exactly the snapshot.
 */
export function takeSnapshot(instance: EngineInstance, setup: SnapshotSetup): EngineSnapshot {
  const memory = instance.governor.memory;
  const heapBeforeRuntime = probeHeapEnd(instance);
  const runtime = instance.module.newRuntime();
  const context = runtime.newContext();
  const runtimePointer = pointerOf(runtime, "rt");
  const contextPointer = pointerOf(context, "ctx");
  verifyRandomState(memory, contextPointer, context);
  installRejectionTracker(instance, runtimePointer, context);
  setup.environment(context);
  const heapBeforeSharedCode = probeHeapEnd(instance);
  setup.sharedCode?.(context);
  const sharedCodeBytes = Math.max(0, probeHeapEnd(instance) - heapBeforeSharedCode);
  // A run's setup bytes are counted from here: runtime, context and environment, without shared code.
  const heapStart = heapBeforeRuntime + sharedCodeBytes;
  // Freed setup garbage (parser buffers) sits in the allocator's top chunk: clear it, so the
  // snapshot's tail is zeros and every run's balloon starts on zeroed memory.
  clearTopChunk(memory, probeHeapEnd(instance));
  const segments = nonZeroSegments(new Uint8Array(memory.buffer));
  const stackPointer = instance.stackPointer();
  return {
    segments,
    runtimePointer,
    contextPointer,
    heapStart,
    stackPointer,
    stackGap: zeroStretchBelow(segments, stackPointer),
    trackerIndex: instance.trackerIndex,
  };
}

/**
 * The all-zero stretch of the snapshot nearest below `address` (ending at it at the latest). Below
 * the stack pointer that is the stack's never-used part: the top few KiB hold frames left by the
 * snapshot's setup and are part of a segment.
 */
function zeroStretchBelow(segments: readonly SnapshotSegment[], address: number): UntouchedRange | null {
  let found: UntouchedRange | null = null;
  let start = 0;
  for (const segment of segments) {
    if (start >= address) break;
    if (segment.start > start) found = { start, end: Math.min(segment.start, address) };
    start = segment.start + segment.bytes.length;
  }
  if (start < address) found = { start, end: address };
  return found;
}

/**
 * The part of the stack a run whose engine stack limit was `stackBytes` cannot have written: the
 * stack's unused part below the limit and STACK_MARGIN_BYTES more, so restoring can skip it (it is
 * ~5 MiB of the 16 MiB memory, and zeroing it was the largest cost of recycling an instance).
 * A tripwire keeps this honest: the STACK_GUARD_BYTES just below that window must still be zero;
 * if anything wrote there, null is returned and the whole stack is restored.
 */
export function untouchedStack(snapshot: EngineSnapshot, memory: WebAssembly.Memory, stackBytes: number): UntouchedRange | null {
  const gap = snapshot.stackGap;
  if (!gap || !(stackBytes > 0)) return null;
  const windowStart = snapshot.stackPointer - stackBytes - STACK_MARGIN_BYTES;
  const guardStart = windowStart - STACK_GUARD_BYTES;
  if (guardStart <= gap.start || windowStart > gap.end) return null;
  const guard = new BigUint64Array(memory.buffer, guardStart & ~7, STACK_GUARD_BYTES >>> 3);
  for (let i = 0; i < guard.length; i++) if (guard[i] !== 0n) return null;
  return { start: gap.start, end: windowStart };
}

/**
 * Makes `memory` byte-identical to the snapshot (up to its current size; bytes past the snapshot's
 * last segment become zero). `untouched` are ranges known to be all zeros already (the balloon's
 * payload, see heap-governor.ts; the stack below what the run could reach, see `untouchedStack`),
 * skipped where the snapshot is zero too.
 */
export function restoreSnapshot(snapshot: EngineSnapshot, memory: WebAssembly.Memory, untouched: readonly UntouchedRange[]): void {
  const bytes = new Uint8Array(memory.buffer);
  const skips = untouched
    .filter((range) => range.start >= 0 && range.start < range.end && range.end <= bytes.length)
    .sort((a, b) => a.start - b.start);
  const zero = (from: number, to: number) => {
    let position = from;
    for (const skip of skips) {
      if (skip.end <= position) continue;
      if (skip.start >= to) break;
      if (position < skip.start) bytes.fill(0, position, skip.start);
      position = Math.max(position, skip.end);
    }
    if (position < to) bytes.fill(0, position, to);
  };
  let position = 0;
  for (const segment of snapshot.segments) {
    zero(position, segment.start);
    bytes.set(segment.bytes, segment.start);
    position = segment.start + segment.bytes.length;
  }
  zero(position, bytes.length);
}

/** True if `memory` holds exactly the snapshot (tests). */
export function matchesSnapshot(snapshot: EngineSnapshot, memory: WebAssembly.Memory): boolean {
  const bytes = new Uint8Array(memory.buffer);
  let position = 0;
  const zeros = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
    return true;
  };
  for (const segment of snapshot.segments) {
    if (!zeros(position, segment.start)) return false;
    for (let i = 0; i < segment.bytes.length; i++) if (bytes[segment.start + i] !== segment.bytes[i]) return false;
    position = segment.start + segment.bytes.length;
  }
  return zeros(position, bytes.length);
}

/**
 * New host-side wrappers for the snapshot's runtime and context in `instance` (whose memory holds
 * the restored snapshot), and a fresh Math.random seed. Call once per run.
 */
export function attachSnapshot(snapshot: EngineSnapshot, instance: EngineInstance): { runtime: QuickJSRuntime; context: QuickJSContext } {
  // The wrappers' constructors are public but documented as internal; they take the module's
  // Emscripten module, FFI and callback registry, which QuickJSWASMModule keeps in fields.
  const internals = instance.module as unknown as { module: unknown; ffi: unknown; callbacks: unknown };
  const runtime = new QuickJSRuntime({
    module: internals.module,
    ffi: internals.ffi,
    callbacks: internals.callbacks,
    rt: new Lifetime(snapshot.runtimePointer),
  } as unknown as ConstructorParameters<typeof QuickJSRuntime>[0]);
  const context = runtime.newContext({ contextPointer: snapshot.contextPointer } as never);
  const seed = new Uint32Array(2);
  do crypto.getRandomValues(seed);
  while (seed[0] === 0 && seed[1] === 0); // xorshift's state must not be zero
  writeRandomState(instance.governor.memory, snapshot.contextPointer, seed);
  return { runtime, context };
}

function pointerOf(wrapper: unknown, field: "rt" | "ctx"): number {
  const value = (wrapper as Record<string, { value?: unknown } | undefined>)[field]?.value;
  if (typeof value !== "number" || value <= 0) throw new Error(`unexpected quickjs-emscripten build: no ${field} pointer`);
  return value;
}

function writeRandomState(memory: WebAssembly.Memory, contextPointer: number, seed: Uint32Array): void {
  new Uint32Array(memory.buffer, contextPointer + RANDOM_STATE_OFFSET, 2).set(seed);
}

/** Proves that RANDOM_STATE_OFFSET is Math.random's state: same seed, same number; other seed, other number. */
function verifyRandomState(memory: WebAssembly.Memory, contextPointer: number, context: QuickJSContext): void {
  const sample = (low: number, high: number) => {
    writeRandomState(memory, contextPointer, new Uint32Array([low, high]));
    const result = context.evalCode("Math.random()", "node:internal/verify");
    if (result.error) {
      result.error.dispose();
      return Number.NaN;
    }
    const value = context.getNumber(result.value);
    result.value.dispose();
    return value;
  };
  const a = sample(0x9e3779b9, 0x7f4a7c15);
  const b = sample(0x9e3779b9, 0x7f4a7c15);
  const c = sample(0x85ebca6b, 0xc2b2ae35);
  if (!(a === b && a !== c && a >= 0 && a < 1)) {
    throw new Error("unexpected QuickJS build: Math.random state not at the pinned JSContext offset");
  }
}

/**
 * Points the runtime's promise rejection tracker at the instance's tracker slot (see
 * quickjs-instance.ts), and proves it: a promise rejected with no handler is reported unhandled,
 * then handled once a handler is added.
 */
function installRejectionTracker(instance: EngineInstance, runtimePointer: number, context: QuickJSContext): void {
  const memory = instance.governor.memory;
  const slot = new Uint32Array(memory.buffer, runtimePointer + REJECTION_TRACKER_OFFSET, 2);
  if (REJECTION_TRACKER_OPAQUE_OFFSET !== REJECTION_TRACKER_OFFSET + 4 || slot[0] !== 0 || slot[1] !== 0 || instance.trackerIndex <= 0) {
    throw new Error("unexpected QuickJS build: no empty rejection tracker slot at the pinned JSRuntime offset");
  }
  slot[0] = instance.trackerIndex;
  const seen: boolean[] = [];
  instance.onPromiseRejection = (_promise, _reason, handled) => seen.push(handled);
  const result = context.evalCode("(() => { const p = Promise.reject(1); p.catch(() => {}); })()", "node:internal/verify");
  instance.onPromiseRejection = null;
  (result.error ?? result.value).dispose();
  if (seen.join() !== "false,true") {
    throw new Error(`unexpected QuickJS build: the rejection tracker did not report as expected (${seen.join() || "nothing"})`);
  }
}

/** The memory's non-zero stretches, at SEGMENT_GRANULE_BYTES granularity, copied. */
function nonZeroSegments(bytes: Uint8Array): SnapshotSegment[] {
  const words = new Int32Array(bytes.buffer, 0, bytes.length >>> 2);
  const granuleWords = SEGMENT_GRANULE_BYTES >>> 2;
  const segments: SnapshotSegment[] = [];
  let runStart = -1;
  for (let granule = 0; granule * granuleWords < words.length; granule++) {
    const from = granule * granuleWords;
    const to = Math.min(words.length, from + granuleWords);
    let nonZero = false;
    for (let i = from; i < to; i++) {
      if (words[i] !== 0) {
        nonZero = true;
        break;
      }
    }
    if (nonZero && runStart < 0) runStart = from * 4;
    if (!nonZero && runStart >= 0) {
      segments.push({ start: runStart, bytes: bytes.slice(runStart, from * 4) });
      runStart = -1;
    }
  }
  if (runStart >= 0) segments.push({ start: runStart, bytes: bytes.slice(runStart, words.length * 4) });
  return segments;
}
