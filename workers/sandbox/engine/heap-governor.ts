// Enforces the program's memory limit on the WebAssembly linear memory itself.
//
// Why not QuickJS's own `setMemoryLimit`: in an Emscripten build QuickJS cannot ask the allocator
// how big a block is (`js_def_malloc_usable_size` returns 0 under __EMSCRIPTEN__), so its
// `malloc_size` grows by a fixed 8 bytes per allocation whatever the allocation's size. A "16 MiB"
// limit therefore allowed ~2 million live allocations: a loop pushing 100-byte strings grew the
// linear memory to ~360 MiB, and pushing ArrayBuffers grew it to the 2 GiB ceiling, which is why
// hitting the limit "took ~4 s". Only single allocations larger than the limit were refused.
//
// What we do instead: every execution starts from the engine snapshot (a fresh, compact heap) in an
// instance of its own, and the allocator's only way to get more memory (`emscripten_resize_heap`,
// i.e. sbrk past the end) goes through this governor. After the run's setup we
// fill the rest of the initial 16 MiB with one untouched "balloon" block; from then on every byte
// the program allocates beyond a small margin makes the heap grow, and the governor refuses growth
// past the budget. Refusal makes malloc return NULL, QuickJS throws "out of memory", and the run is
// stopped as memory_limit_exceeded. Growth is granted in steps of at most GROWTH_STEP_BYTES (not
// Emscripten's +20%), so the peak we report is accurate to about that step.

/** WebAssembly page size. */
export const WASM_PAGE_BYTES = 64 * 1024;
/** The module's memory import declares 256 initial pages; smaller memories fail to link. */
export const INITIAL_MEMORY_BYTES = 16 * 1024 * 1024;
/** Largest single growth we grant past what the allocator asked for (precision of the peak). */
export const GROWTH_STEP_BYTES = 256 * 1024;
/** Room left free below the balloon so tiny programs never need to grow the memory at all. */
export const BALLOON_MARGIN_BYTES = 64 * 1024;

export interface HeapGovernorState {
  /** Highest heap end (bytes from address 0) the allocator asked for while governed. */
  peakRequestedBytes: number;
  /** Set when the allocator asked for more than the budget allows. */
  limitHit: boolean;
}

export class HeapGovernor implements HeapGovernorState {
  peakRequestedBytes = 0;
  limitHit = false;
  /** Heap end (bytes) the allocator may grow to; Infinity until the program's budget is armed. */
  private capBytes = Number.POSITIVE_INFINITY;
  /** Size the allocator is asking for in the current resize call (bytes), 0 outside one. */
  private pendingBytes = 0;

  constructor(readonly memory: WebAssembly.Memory, private readonly hardMaxBytes: number) {
    const governor = this;
    const nativeGrow = WebAssembly.Memory.prototype.grow;
    // Emscripten calls `memory.grow(pages)` with its geometric over-growth; we trim that to what was
    // asked plus one step, and to the cap, but never below what was asked.
    // (A memory belongs to one instance and its governor for good; reuse goes through reset().)
    Object.defineProperty(memory, "grow", {
      configurable: true,
      writable: true,
      value(deltaPages: number): number {
        const currentPages = memory.buffer.byteLength / WASM_PAGE_BYTES;
        const neededPages = Math.ceil(governor.pendingBytes / WASM_PAGE_BYTES);
        const limitPages = Math.floor(Math.min(governor.capBytes, governor.hardMaxBytes) / WASM_PAGE_BYTES);
        let targetPages = currentPages + deltaPages;
        if (governor.pendingBytes > 0) {
          targetPages = Math.min(targetPages, neededPages + GROWTH_STEP_BYTES / WASM_PAGE_BYTES, limitPages);
          if (targetPages < neededPages) throw new RangeError("heap budget exhausted");
        } else if (targetPages > limitPages) {
          throw new RangeError("heap budget exhausted");
        }
        return nativeGrow.call(memory, Math.max(0, targetPages - currentPages));
      },
    });
  }

  /**
   * Wraps the module's `emscripten_resize_heap(requestedSize)` import: the single point where the
   * allocator asks for memory past the current end.
   */
  wrapResizeHeap(original: (requested: number) => number): (requested: number) => number {
    return (requested: number) => {
      const bytes = requested >>> 0;
      if (bytes > this.capBytes || bytes > this.hardMaxBytes) {
        this.limitHit = true;
        return 0;
      }
      this.pendingBytes = bytes;
      try {
        const ok = original(requested);
        if (ok) this.peakRequestedBytes = Math.max(this.peakRequestedBytes, bytes);
        else this.limitHit = true;
        return ok;
      } finally {
        this.pendingBytes = 0;
      }
    };
  }

  /** Back to the state of a new governor (the instance is reused for another run). */
  reset(): void {
    this.capBytes = Number.POSITIVE_INFINITY;
    this.pendingBytes = 0;
    this.peakRequestedBytes = 0;
    this.limitHit = false;
  }

  /** From now on the heap may not grow past `capBytes` (an absolute heap end). */
  arm(capBytes: number): void {
    this.capBytes = capBytes;
    this.peakRequestedBytes = 0;
  }

  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }
}
