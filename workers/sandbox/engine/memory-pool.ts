// Reuse of linear memories between executions.
//
// Every execution gets a fresh engine instance, but a fresh WebAssembly.Memory each time would leave
// one dead 16+ MiB memory per run for the garbage collector, and V8 accounts each at its full size
// until it is collected (measured under Node: 80-200 MB of external memory pending collection in a
// tight loop), which matters in a 128 MB isolate. So memories are recycled: after a run that ended
// normally, every byte it could have written is zeroed and the memory goes back to the pool; the
// next instance links against it exactly as against a new one (its data segments are re-applied at
// instantiation, everything else must be zero, which it is).
//
// "Every byte it could have written" = all of the memory except the balloon's payload, which nobody
// ever writes (see heap-governor.ts). Memories of faulted runs, or that grew large, are not reused.

/** A byte range of a memory known to be all zeros (the balloon payload), or null. */
export interface UntouchedRange {
  start: number;
  end: number;
}

export class MemoryPool {
  private readonly free: WebAssembly.Memory[] = [];

  /**
   * @param maxPooled memories kept at most (each keeps the pages its last run touched resident)
   * @param maxPoolableBytes memories that grew past this are left to the garbage collector
   */
  constructor(
    private readonly maxPooled: number,
    private readonly maxPoolableBytes: number,
  ) {}

  take(): WebAssembly.Memory | undefined {
    return this.free.pop();
  }

  /** Zeroes what the last run may have written and keeps the memory for a later instance. */
  release(memory: WebAssembly.Memory, untouched: UntouchedRange | null): void {
    const size = memory.buffer.byteLength;
    if (this.free.length >= this.maxPooled || size > this.maxPoolableBytes) return;
    const bytes = new Uint8Array(memory.buffer);
    if (untouched && untouched.start >= 0 && untouched.start <= untouched.end && untouched.end <= size) {
      bytes.fill(0, 0, untouched.start);
      bytes.fill(0, untouched.end, size);
    } else {
      bytes.fill(0);
    }
    this.free.push(memory);
  }

  get size(): number {
    return this.free.length;
  }
}
