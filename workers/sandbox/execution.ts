// Drives one program through one engine (an instance holding a fresh copy of the engine snapshot),
// synchronously from start to finish (no awaits between VM steps, so nothing else can interleave
// inside the engine).
import { createHash, createHmac } from "node:crypto";
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from "quickjs-emscripten-core";
import { HOST_CALL_COST_TICKS, msToTicks, NATIVE_HEAVY_TICKS_PER_POLL, SLOW_POLL_MS, ticksToMs, TICKS_PER_POLL } from "./engine/cpu-clock";
import { InterruptCounter } from "./engine/interrupt-counter";
import { BALLOON_MARGIN_BYTES, INITIAL_MEMORY_BYTES } from "./engine/heap-governor";
import { CHUNK_HEADER_BYTES, clearTopChunk, probeHeapEnd } from "./engine/heap";
import type { Engine } from "./engine/engine-pool";
import type { EngineInstance } from "./engine/quickjs-instance";
import { attachSnapshot, untouchedStack, type EngineSnapshot, type SnapshotSetup, type UntouchedRange } from "./engine/snapshot";
import { resolveModule, SANDBOX_ROOT, PROVIDED_BUILTINS, dirname } from "./module-resolution";
import { OutputCapture } from "./output-capture";
import { BUILTIN_SOURCES } from "./prelude/builtins";
import { compactSource } from "./prelude/compact";
import { BUILTINS_KEY, CORE_PRELUDE, START_KEY } from "./prelude/core";
import {
  ASYNC_WRAPPER_PREFIX,
  describeDiagnostic,
  entryIsModule,
  moduleCode,
  wrapModule,
  type Program,
} from "./program";
import { describeTermination, normalizeExitCode, type KillReason, type Termination } from "./termination";
import type { CompileResult, ExecutionLimits, ExecutionResult } from "./types";

/** What the program sees as its Node version (it runs Node-style programs written for `node`). */
export const NODE_VERSION = "v22.12.0";
const PRELUDE_SOURCE = compactSource(CORE_PRELUDE);
/** Virtual time between the main module finishing and the event loop's first turn. */
const STARTUP_MS = 1;
/** Largest buffer a single crypto.getRandomValues-style request may ask the host for. */
const MAX_RANDOM_BYTES = 1024 * 1024;
/**
 * Promises rejected with no handler that are remembered until the next check (when the microtask
 * and nextTick queues are empty). Beyond this many in one stretch, further ones are not reported;
 * without an 'unhandledRejection' listener the first one still unhandled ends the run anyway.
 */
const MAX_PENDING_REJECTIONS = 10_000;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

export interface ExecutionOptions {
  program: Program;
  stdin: string;
  args: string[];
  limits: ExecutionLimits;
  startEpochMs: number;
  /** performance.now() when the request started (includes instance creation in wallTimeMs). */
  startedAt: number;
  quickjsVersion: string;
}

type StopReason = { kind: "exit"; code: number } | { kind: "killed"; reason: KillReason };

class HostStackOverflow extends Error {}

/**
 * What the engine snapshot holds besides a bare runtime and context, part 1: the prelude's first
 * phase (prelude/core.ts), which leaves `start` on the global for the run.
 */
export function prepareEnvironment(ctx: QuickJSContext): void {
  const evaluated = ctx.evalCode(PRELUDE_SOURCE, "node:internal/bootstrap");
  if (evaluated.error) {
    const detail = JSON.stringify(ctx.dump(evaluated.error));
    evaluated.error.dispose();
    throw new Error(`prelude failed to evaluate: ${detail}`);
  }
  evaluated.value.dispose();
  const start = ctx.getProp(ctx.global, START_KEY);
  const type = ctx.typeof(start);
  start.dispose();
  if (type !== "function") throw new Error("prelude did not leave its start function");
}

/** The engine snapshot's contents (engine/snapshot.ts). */
export const SNAPSHOT_SETUP: SnapshotSetup = { environment: prepareEnvironment, sharedCode: precompileBuiltins };

/**
 * Part 2: every builtin module compiled (not initialised) into the prelude's table, so a run that
 * requires one (console.log of an object loads util.inspect, 39 KB of source) does not parse it.
 * Its heap is engine code shared by all runs, not counted as the run's memory (engine/snapshot.ts).
 */
export function precompileBuiltins(ctx: QuickJSContext): void {
  const table = ctx.getProp(ctx.global, BUILTINS_KEY);
  try {
    for (const [name, source] of Object.entries(BUILTIN_SOURCES)) {
      const compiled = ctx.evalCode(source, `node:internal/${name}`);
      if (compiled.error) {
        const detail = JSON.stringify(ctx.dump(compiled.error));
        compiled.error.dispose();
        throw new Error(`builtin ${name} failed to compile: ${detail}`);
      }
      ctx.setProp(table, name, compiled.value);
      compiled.value.dispose();
    }
  } finally {
    table.dispose();
  }
}

export class Execution {
  private readonly runtime: QuickJSRuntime;
  private readonly ctx: QuickJSContext;
  private readonly output: OutputCapture;
  private readonly cpuBudgetTicks: number;
  private readonly counter: InterruptCounter;
  private ticks = 0;
  private lastPollAt = 0;
  private pollInterval = TICKS_PER_POLL;
  private skippedMs = 0;
  private vmRealMs = 0;
  private stop: StopReason | null = null;
  private nondeterministic = false;
  private readonly heapStart: number;
  private readonly instance: EngineInstance;
  private readonly contextPointer: number;
  private setupBytes = 0;
  private balloonEnd = INITIAL_MEMORY_BYTES;
  private balloonPayload: UntouchedRange | null = null;
  private readonly snapshot: EngineSnapshot;
  private readonly compiled = new Map<string, QuickJSHandle>();
  private readonly fileSet: Set<string>;
  private control: { main: QuickJSHandle; tick: QuickJSHandle; finish: QuickJSHandle } | null = null;
  private faulted = false;
  /** Promises rejected with no handler since the last check, by their JSValue bits (see trackRejection). */
  private readonly rejections = new Map<bigint, { promise: QuickJSHandle; reason: QuickJSHandle }>();
  /** An 8-byte box in the VM's heap, for turning a raw JSValue into a handle. */
  private valueBox = 0;

  constructor(engine: Engine, private readonly options: ExecutionOptions) {
    const { limits } = options;
    this.instance = engine.instance;
    this.output = new OutputCapture({ stdout: limits.maxStdoutBytes, stderr: limits.maxStderrBytes });
    this.cpuBudgetTicks = msToTicks(limits.cpuTimeMs);
    this.fileSet = new Set(options.program.files.keys());
    this.heapStart = engine.snapshot.heapStart;
    this.snapshot = engine.snapshot;
    const { runtime, context } = attachSnapshot(engine.snapshot, engine.instance);
    this.runtime = runtime;
    this.runtime.setMaxStackSize(limits.stackBytes);
    this.runtime.setInterruptHandler(() => this.onInterrupt());
    this.ctx = context;
    this.counter = new InterruptCounter(engine.instance.governor.memory, engine.snapshot.contextPointer);
    this.contextPointer = engine.snapshot.contextPointer;
    engine.instance.onPromiseRejection = (promise, reason, handled) => this.trackRejection(promise, reason, handled);
  }

  // ---- clocks and budgets

  private cpuEstimateMs(): number {
    return ticksToMs(this.ticks);
  }

  /** Milliseconds since start as the program sees them: estimated CPU time plus skipped waits. */
  private virtualNow(): number {
    return this.cpuEstimateMs() + this.skippedMs;
  }

  private realElapsedMs(): number {
    return performance.now() - this.options.startedAt;
  }

  private kill(reason: KillReason): void {
    if (this.stop) return;
    this.stop = { kind: "killed", reason };
    this.output.close();
  }

  private onInterrupt(): boolean {
    const now = performance.now();
    if (this.lastPollAt !== 0 && now - this.lastPollAt > SLOW_POLL_MS) this.pollInterval = NATIVE_HEAVY_TICKS_PER_POLL;
    this.lastPollAt = now;
    this.ticks += this.counter.poll(this.pollInterval);
    if (this.stop) return true;
    if (this.instance.governor.limitHit) this.kill("memory");
    else if (this.ticks > this.cpuBudgetTicks) this.kill("cpu");
    else if (this.virtualNow() > this.options.limits.wallTimeMs) this.kill("wall");
    // Where the clock moves (locally) it also bounds native work the tick count cannot see.
    else if (now - this.options.startedAt > this.options.limits.wallTimeMs) this.kill("wall");
    return this.stop !== null;
  }

  private chargeHostCall(): void {
    this.ticks += HOST_CALL_COST_TICKS;
  }

  // ---- heap accounting (see engine/heap-governor.ts)

  /** After setup: fill the rest of the memory with an untouched block and arm the budget. */
  private armHeapBudget(): void {
    const heapEnd = probeHeapEnd(this.instance);
    this.setupBytes = Math.max(0, heapEnd - this.heapStart);
    // Setup freed temporary blocks (the config text with stdin...) back into the allocator's top
    // chunk; the balloon will be carved from that chunk. Clear it first, so the balloon's payload is
    // all zeros and restoring the snapshot afterwards can skip it.
    const cleared = clearTopChunk(this.instance.governor.memory, heapEnd);
    let balloon = this.instance.governor.byteLength - heapEnd - BALLOON_MARGIN_BYTES - CHUNK_HEADER_BYTES;
    const payload = balloon > 0 ? this.instance.malloc(balloon) : 0;
    if (payload === 0) balloon = 0;
    else if (cleared) this.balloonPayload = { start: payload, end: payload + balloon };
    this.balloonEnd = heapEnd + Math.max(0, balloon) + CHUNK_HEADER_BYTES;
    const programBudget = this.options.limits.memoryBytes - this.setupBytes;
    this.instance.governor.arm(this.balloonEnd + Math.max(0, programBudget));
  }

  /** Heap used by this run: runtime setup plus whatever the program made the heap grow by. */
  private heapBytes(current: boolean): number {
    const { governor } = this.instance;
    const end = current ? governor.byteLength : governor.peakRequestedBytes;
    return this.setupBytes + Math.max(0, end - this.balloonEnd);
  }

  // ---- VM calls

  /** Runs one step of VM work, timing it and turning engine faults into a stop or an exception. */
  private vm<T>(step: () => T): T | undefined {
    const started = performance.now();
    try {
      return step();
    } catch (error) {
      if (error instanceof RangeError && /call stack/i.test(error.message)) throw new HostStackOverflow(error.message);
      throw error;
    } finally {
      this.vmRealMs += performance.now() - started;
      if (!this.stop && this.instance.governor.limitHit) this.kill("memory");
    }
  }

  private callControl(name: "main" | "tick" | "finish", ...args: number[]): number | undefined {
    if (!this.control) return undefined;
    this.chargeHostCall();
    const fn = this.control[name];
    const result = this.vm(() => {
      const argHandles = args.map((n) => this.ctx.newNumber(n));
      const r = this.ctx.callFunction(fn, this.ctx.undefined, ...argHandles);
      for (const h of argHandles) h.dispose();
      return r;
    });
    if (!result) return undefined;
    if (result.error) {
      this.escapedException(result.error);
      return undefined;
    }
    const value = this.ctx.typeof(result.value) === "number" ? this.ctx.getNumber(result.value) : undefined;
    const truthy = this.ctx.typeof(result.value) === "boolean" ? (this.ctx.dump(result.value) ? 1 : 0) : undefined;
    result.value.dispose();
    return value ?? truthy;
  }

  /**
   * An exception reached the host. Expected when we stopped the program (interrupt); otherwise the
   * prelude's own error handling failed (e.g. out of memory while formatting), so report it here.
   */
  private escapedException(errorHandle: QuickJSHandle): void {
    let description = "Error";
    if (!this.stop) {
      try {
        const dumped = this.ctx.dump(errorHandle) as unknown;
        if (dumped && typeof dumped === "object" && "message" in dumped) {
          const e = dumped as { name?: string; message?: string };
          description = `${e.name ?? "Error"}: ${e.message ?? ""}`;
        } else description = String(dumped);
      } catch {
        // leave the generic description
      }
    }
    errorHandle.dispose();
    if (this.stop) return;
    if (this.instance.governor.limitHit) return this.kill("memory");
    if (/stack overflow/.test(description)) description = "RangeError: Maximum call stack size exceeded";
    this.output.write("stderr", `Uncaught ${description}\n\nNode.js ${NODE_VERSION}\n`);
    this.requestExit(1);
  }

  private requestExit(code: number): void {
    if (this.stop) return;
    this.stop = { kind: "exit", code: normalizeExitCode(code) };
    this.output.close();
  }

  private drainMicrotasks(): void {
    const result = this.vm(() => this.runtime.executePendingJobs(-1));
    if (result && result.error) this.escapedException(result.error);
  }

  // ---- unhandled rejections (the engine's rejection tracker, see engine/snapshot.ts)

  /**
   * Called by the engine, inside the VM call that rejected a promise with no handler (`handled`
   * false) or added a handler to such a promise (true). Keeps a reference to both values until the
   * prelude's next check, or forgets them when a handler comes first, as Node does.
   */
  private trackRejection(promise: bigint, reason: bigint, handled: boolean): void {
    if (this.stop) return;
    this.chargeHostCall();
    if (handled) {
      const entry = this.rejections.get(promise);
      if (entry) {
        this.rejections.delete(promise);
        entry.promise.dispose();
        entry.reason.dispose();
      }
      return;
    }
    if (this.rejections.size >= MAX_PENDING_REJECTIONS || this.rejections.has(promise)) return;
    const promiseHandle = this.adoptValue(promise);
    const reasonHandle = promiseHandle ? this.adoptValue(reason) : null;
    if (!promiseHandle || !reasonHandle) {
      promiseHandle?.dispose();
      return;
    }
    this.rejections.set(promise, { promise: promiseHandle, reason: reasonHandle });
  }

  /** A new reference (handle) to a raw JSValue the engine passed us. */
  private adoptValue(value: bigint): QuickJSHandle | null {
    if (this.valueBox === 0) this.valueBox = this.instance.malloc(8);
    if (this.valueBox === 0) return null;
    new BigInt64Array(this.instance.governor.memory.buffer, this.valueBox, 1)[0] = value;
    // quickjs-emscripten keeps these in non-public fields: its FFI, and the context's handle factory.
    const ffi = (this.instance.module as unknown as { ffi: { QTS_DupValuePointer(ctx: number, value: number): number } }).ffi;
    const pointer = ffi.QTS_DupValuePointer(this.contextPointer, this.valueBox);
    if (!pointer) return null;
    const memory = (this.ctx as unknown as { memory: { heapValueHandle(pointer: number): QuickJSHandle } }).memory;
    return memory.heapValueHandle(pointer);
  }

  // ---- host bridge

  private fn(name: string, impl: (...args: QuickJSHandle[]) => QuickJSHandle | undefined): QuickJSHandle {
    return this.ctx.newFunction(name, (...args) => {
      this.chargeHostCall();
      // An allocation was refused: whatever the program does next (print the OOM error, exit(1)),
      // the run ends as memory_limit_exceeded.
      if (!this.stop && this.instance.governor.limitHit) this.kill("memory");
      return impl(...args);
    });
  }

  private stringArg(handle: QuickJSHandle | undefined): string | undefined {
    return handle !== undefined && this.ctx.typeof(handle) === "string" ? this.ctx.getString(handle) : undefined;
  }

  private bytesArg(handle: QuickJSHandle | undefined, offset?: QuickJSHandle, length?: QuickJSHandle): Uint8Array | undefined {
    if (handle === undefined) return undefined;
    const lifetime = this.ctx.getArrayBuffer(handle);
    try {
      const view = lifetime.value;
      const start = offset ? Math.max(0, Math.min(view.length, this.ctx.getNumber(offset) | 0)) : 0;
      const end = length ? Math.min(view.length, start + Math.max(0, this.ctx.getNumber(length) | 0)) : view.length;
      return view.slice(start, end);
    } finally {
      lifetime.dispose();
    }
  }

  private buildHost(): QuickJSHandle {
    const ctx = this.ctx;
    const host = ctx.newObject();
    const functions: Record<string, QuickJSHandle> = {
      write: this.fn("write", (fdHandle, textHandle) => {
        const text = this.stringArg(textHandle) ?? "";
        const fd = fdHandle ? ctx.getNumber(fdHandle) : 1;
        if (this.stop) return ctx.newNumber(1);
        const stream = fd === 2 ? "stderr" : "stdout";
        if (!this.output.write(stream, text)) this.kill(stream);
        return ctx.newNumber(this.stop ? 1 : 0);
      }),
      exit: this.fn("exit", (codeHandle) => {
        this.requestExit(codeHandle ? ctx.getNumber(codeHandle) : 0);
        return undefined;
      }),
      now: this.fn("now", () => ctx.newNumber(this.virtualNow())),
      nondeterministic: this.fn("nondeterministic", () => {
        this.nondeterministic = true;
        return undefined;
      }),
      randomBytes: this.fn("randomBytes", (countHandle) => {
        const count = Math.max(0, Math.min(MAX_RANDOM_BYTES, countHandle ? ctx.getNumber(countHandle) | 0 : 0));
        this.nondeterministic = true;
        const bytes = new Uint8Array(count);
        for (let offset = 0; offset < count; offset += 65536) crypto.getRandomValues(bytes.subarray(offset, offset + 65536));
        return ctx.newArrayBuffer(bytes.buffer);
      }),
      resolve: this.fn("resolve", (specHandle, fromHandle) => {
        const specifier = this.stringArg(specHandle) ?? "";
        const from = this.stringArg(fromHandle) ?? `${SANDBOX_ROOT}/`;
        const r = resolveModule(specifier, from, this.fileSet, (path) => this.options.program.files.get(path)?.original);
        const encoded = r.kind === "file" ? `file:${r.path}` : r.kind === "missing" ? "missing:" : `${r.kind}:${r.name}`;
        return ctx.newString(encoded);
      }),
      compile: this.fn("compile", (pathHandle) => this.compileModule(this.stringArg(pathHandle) ?? "")),
      builtin: this.fn("builtin", (nameHandle) => {
        const name = this.stringArg(nameHandle) ?? "";
        const source = BUILTIN_SOURCES[name];
        if (source === undefined) throw new Error(`unknown builtin ${name}`);
        const result = ctx.evalCode(source, `node:internal/${name}`);
        if (result.error) return result.error;
        return result.value;
      }),
      heapBytes: this.fn("heapBytes", () => ctx.newNumber(this.heapBytes(true))),
      utf8Encode: this.fn("utf8Encode", (textHandle) => {
        const bytes = textEncoder.encode(this.stringArg(textHandle) ?? "");
        return ctx.newArrayBuffer(bytes.buffer);
      }),
      utf8Decode: this.fn("utf8Decode", (bufferHandle, offset, length) => {
        const bytes = this.bytesArg(bufferHandle, offset, length);
        return ctx.newString(bytes ? textDecoder.decode(bytes) : "");
      }),
      digest: this.fn("digest", (kindHandle, algorithmHandle, keyHandle, dataHandle) => {
        const algorithm = this.stringArg(algorithmHandle) ?? "";
        const data = this.bytesArg(dataHandle) ?? new Uint8Array(0);
        const kind = this.stringArg(kindHandle);
        let digest: Uint8Array;
        try {
          const hash =
            kind === "hmac"
              ? createHmac(algorithm, this.bytesArg(keyHandle) ?? new Uint8Array(0))
              : createHash(algorithm);
          digest = hash.update(data).digest();
        } catch {
          throw new Error("Digest method not supported");
        }
        return ctx.newArrayBuffer(new Uint8Array(digest).buffer);
      }),
      promiseState: this.fn("promiseState", (promiseHandle) => {
        const state = ctx.getPromiseState(promiseHandle);
        if (state.type === "fulfilled") state.value.dispose();
        if (state.type === "rejected") state.error.dispose();
        return ctx.newNumber(state.type === "pending" ? 0 : state.type === "fulfilled" ? 1 : 2);
      }),
      promiseResult: this.fn("promiseResult", (promiseHandle) => {
        const state = ctx.getPromiseState(promiseHandle);
        if (state.type === "pending") return undefined;
        return state.type === "fulfilled" ? state.value : state.error;
      }),
      // [promise, reason, promise, reason, ...] of the rejections still unhandled, oldest first.
      takeRejections: this.fn("takeRejections", () => {
        const list = ctx.newArray();
        let index = 0;
        for (const entry of this.rejections.values()) {
          ctx.setProp(list, index++, entry.promise);
          ctx.setProp(list, index++, entry.reason);
          entry.promise.dispose();
          entry.reason.dispose();
        }
        this.rejections.clear();
        return list;
      }),
    };
    for (const [name, handle] of Object.entries(functions)) {
      ctx.setProp(host, name, handle);
      handle.dispose();
    }
    return host;
  }

  /** host.compile: the module's wrapper function, or the SyntaxError to throw. */
  private compileModule(path: string): QuickJSHandle {
    const cached = this.compiled.get(path);
    if (cached) return cached.dup();
    const file = this.options.program.files.get(path);
    if (!file) return this.ctx.newError(`Cannot find module '${path}'`);
    const prepared = moduleCode(file);
    // JavaScript that sucrase cannot parse: let QuickJS report the SyntaxError, as Node would.
    const code = prepared.ok ? prepared.code : file.original.replace(/^#!.*/, "");
    return this.evalWrapper(path, code);
  }

  /**
   * Compiles the module wrapper. Code that only parses inside an async function uses top-level
   * await (Node 22 runs such files as ES modules), so it gets the async wrapper; otherwise the
   * first SyntaxError is the one reported.
   */
  private evalWrapper(path: string, code: string): QuickJSHandle {
    const result = this.ctx.evalCode(wrapModule(code, false), path);
    if (!result.error) return result.value;
    if (!/\bawait\b/.test(code)) return result.error;
    const asynchronous = this.ctx.evalCode(wrapModule(code, true), path);
    if (asynchronous.error) {
      asynchronous.error.dispose();
      return result.error;
    }
    result.error.dispose();
    return asynchronous.value;
  }

  // ---- TypeScript compile stage

  /**
   * Transforms and syntax-checks every TypeScript file before anything runs. Returns diagnostics
   * ("main.ts:3:7: message" lines) or null when all compiled; compiled wrappers are kept for require.
   */
  private compileTypeScript(): string | null {
    const diagnostics: string[] = [];
    for (const file of this.options.program.files.values()) {
      if (!file.typescript) continue;
      const prepared = moduleCode(file);
      if (!prepared.ok) {
        diagnostics.push(describeDiagnostic(file, prepared.diagnostic));
        continue;
      }
      const handle = this.vm(() => this.evalWrapper(file.path, prepared.code));
      if (!handle) continue;
      if (this.ctx.typeof(handle) === "function") {
        this.compiled.set(file.path, handle);
        continue;
      }
      diagnostics.push(describeDiagnostic(file, this.syntaxErrorPosition(handle)));
      handle.dispose();
    }
    return diagnostics.length ? diagnostics.join("\n") + "\n" : null;
  }

  private syntaxErrorPosition(error: QuickJSHandle): { line: number; column: number; message: string } {
    const read = (name: string) => {
      const h = this.ctx.getProp(error, name);
      try {
        return this.ctx.typeof(h) === "string" ? this.ctx.getString(h) : "";
      } finally {
        h.dispose();
      }
    };
    const message = read("message");
    const match = /:(\d+):(\d+)\)?\s*$/m.exec(read("stack"));
    const line = match ? Number(match[1]) : 1;
    let column = match ? Number(match[2]) : 1;
    if (line === 1) column = Math.max(1, column - ASYNC_WRAPPER_PREFIX.length);
    return { line, column, message };
  }

  // ---- the run

  private bootstrap(): boolean {
    const { program, stdin, args, limits } = this.options;
    const start = this.ctx.getProp(this.ctx.global, START_KEY);
    if (this.ctx.typeof(start) !== "function") {
      start.dispose();
      throw new Error("the engine snapshot has no prelude start function");
    }
    const files: Record<string, string> = {};
    for (const [path, file] of program.files) files[path] = file.original;
    const config = {
      argv: ["node", program.entry, ...args],
      stdin: stdin.endsWith("\n") ? stdin : `${stdin}\n`, // Piston appends a newline when missing
      entry: program.entry,
      cwd: SANDBOX_ROOT,
      files,
      env: {},
      startEpochMs: this.options.startEpochMs,
      nodeVersion: NODE_VERSION,
      versions: { node: NODE_VERSION.slice(1), quickjs: this.options.quickjsVersion },
      arch: "x64",
      memoryLimitBytes: limits.memoryBytes,
      wrapperPrefixLength: ASYNC_WRAPPER_PREFIX.length,
      builtinModules: [...PROVIDED_BUILTINS],
      entryDir: dirname(program.entry),
      entryIsModule: entryIsModule(program),
    };
    const configJson = this.ctx.newString(JSON.stringify(config));
    const host = this.buildHost();
    const controlResult = this.vm(() => this.ctx.callFunction(start, this.ctx.undefined, host, configJson));
    start.dispose();
    host.dispose();
    configJson.dispose();
    if (!controlResult || controlResult.error) {
      const detail = controlResult?.error ? JSON.stringify(this.ctx.dump(controlResult.error)) : "no result";
      controlResult?.error?.dispose();
      if (this.stop) return false;
      throw new Error(`prelude bootstrap failed: ${detail}`);
    }
    const control = controlResult.value;
    this.control = {
      main: this.ctx.getProp(control, "main"),
      tick: this.ctx.getProp(control, "tick"),
      finish: this.ctx.getProp(control, "finish"),
    };
    control.dispose();
    return true;
  }

  private loop(): void {
    this.ticks += this.counter.prime();
    this.callControl("main");
    this.drainMicrotasks();
    // The event loop starts 1 ms after the program did, as it typically does in Node, so a
    // setTimeout(f, 0) from the main module runs before a setImmediate (racy in Node: flagged).
    this.skippedMs += STARTUP_MS;
    while (!this.stop) {
      this.drainMicrotasks();
      if (this.stop) break;
      const next = this.callControl("tick", this.virtualNow(), this.rejections.size);
      if (this.stop) break;
      if (next === undefined) break;
      if (next === 0) continue;
      if (next > 0) {
        // Only timers are pending: jump the virtual clock instead of waiting.
        if (this.virtualNow() + next > this.options.limits.wallTimeMs) {
          this.skippedMs = Math.max(this.skippedMs, this.options.limits.wallTimeMs - this.cpuEstimateMs());
          this.kill("wall");
          break;
        }
        this.skippedMs += next;
        continue;
      }
      // Nothing left: 'beforeExit' may schedule more work; otherwise finish() exits.
      const more = this.callControl("finish");
      if (!this.stop && !more) this.requestExit(0);
    }
  }

  run(): ExecutionResult {
    try {
      return this.runToEnd();
    } finally {
      this.instance.onPromiseRejection = null;
    }
  }

  private runToEnd(): ExecutionResult {
    let compile: CompileResult | undefined;
    let termination: Termination;
    try {
      if (this.bootstrap()) {
        this.armHeapBudget();
        if (this.options.program.language === "typescript") {
          const started = performance.now();
          const diagnostics = this.compileTypeScript();
          compile = {
            ok: diagnostics === null,
            stderr: diagnostics ?? "",
            wallTimeMs: performance.now() - started,
          };
          if (diagnostics !== null) return this.compileErrorResult(compile);
        }
        this.loop();
      }
      termination = this.stop
        ? this.stop.kind === "exit"
          ? { kind: "exit", code: this.stop.code }
          : { kind: "killed", reason: this.stop.reason }
        : { kind: "exit", code: 0 };
    } catch (error) {
      this.faulted = true;
      if (error instanceof HostStackOverflow) {
        // The engine's own stack check did not fire before the host's stack ran out (deep native
        // recursion such as JSON.parse of deeply nested input). The instance is unusable now, but
        // for the program this is an uncaught RangeError.
        this.output.write("stderr", `RangeError: Maximum call stack size exceeded\n\nNode.js ${NODE_VERSION}\n`);
        termination = this.stop?.kind === "killed" ? { kind: "killed", reason: this.stop.reason } : { kind: "exit", code: 1 };
      } else if (this.instance.governor.limitHit || this.stop?.kind === "killed") {
        termination = { kind: "killed", reason: this.stop?.kind === "killed" ? this.stop.reason : "memory" };
      } else {
        termination = { kind: "internal", detail: error instanceof Error ? error.message : String(error) };
      }
    }
    return this.result(termination, compile);
  }

  private compileErrorResult(compile: CompileResult): ExecutionResult {
    const wallTimeMs = Math.max(this.realElapsedMs(), compile.wallTimeMs);
    return {
      status: "compile_error",
      exitCode: 1,
      signal: null,
      message: "Compilation failed",
      stdout: "",
      stderr: compile.stderr,
      output: compile.stderr,
      stdoutTruncated: false,
      stderrTruncated: false,
      cpuTimeMs: round(this.vmRealMs > 0 ? this.vmRealMs : this.cpuEstimateMs()),
      wallTimeMs: round(wallTimeMs),
      memoryBytes: this.heapBytes(false),
      compile,
      nondeterministic: false,
    };
  }

  private result(termination: Termination, compile: CompileResult | undefined): ExecutionResult {
    const fields = describeTermination(termination);
    const cpuTimeMs = this.vmRealMs > 0 ? this.vmRealMs : this.cpuEstimateMs();
    return {
      ...fields,
      stdout: this.output.text("stdout"),
      stderr: this.output.text("stderr"),
      output: this.output.combined(),
      stdoutTruncated: this.output.truncated("stdout"),
      stderrTruncated: this.output.truncated("stderr"),
      cpuTimeMs: round(cpuTimeMs),
      wallTimeMs: round(Math.max(this.realElapsedMs(), cpuTimeMs)),
      memoryBytes: this.heapBytes(false),
      ...(compile ? { compile } : {}),
      nondeterministic: this.nondeterministic,
    };
  }

  /** True if the engine may be in a broken state: its memory must not be reused. */
  get engineFaulted(): boolean {
    return this.faulted || this.instance.aborted;
  }

  /**
   * The parts of the memory this run never wrote, for recycling: the balloon's payload, and the
   * stack below what the run's stack limit let it reach (checked, see engine/snapshot.ts).
   */
  get untouchedRanges(): UntouchedRange[] {
    const ranges: UntouchedRange[] = [];
    if (this.balloonPayload) ranges.push(this.balloonPayload);
    const stack = untouchedStack(this.snapshot, this.instance.governor.memory, this.options.limits.stackBytes);
    if (stack) ranges.push(stack);
    return ranges;
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
