// Engine instances, reused between executions, each restored to the engine snapshot.
//
// An instance costs ~1 ms to create and its 16+ MiB memory, once dropped, stays accounted by V8
// until collected (measured under Node: 80-200 MB of external memory pending collection in a tight
// loop), which matters in a 128 MB isolate. So after a run that ended without an engine fault, the
// snapshot is written over the instance's whole memory (snapshot.ts) — nothing of the run survives
// that — and the instance goes back to the pool. Instances of faulted runs, whose stack pointer is
// not back where the snapshot has it, or whose memory grew large are dropped.
//
// Creation happens inside the request that needs the instance: an instance (or the snapshot)
// prepared in one request and awaited by another leaves promises pending across request contexts,
// which workerd does not allow (under the vitest pool the second request hung forever). Only plain
// objects (the snapshot, ready instances) pass from one request to the next.
import { createEngineInstance, type EngineInstance } from "./quickjs-instance";
import { restoreSnapshot, takeSnapshot, type EngineSnapshot, type SnapshotSetup, type UntouchedRange } from "./snapshot";

/** An instance whose memory holds the snapshot, ready for one run. */
export interface Engine {
  instance: EngineInstance;
  snapshot: EngineSnapshot;
}

export interface EnginePoolOptions {
  /** Instances kept at most (each keeps the pages its last run touched resident). */
  maxPooled: number;
  /** Instances whose memory grew past this are dropped rather than kept. */
  maxPoolableBytes: number;
  /** Largest linear memory an instance may ever reach. */
  hardMaxHeapBytes: number;
  /** What the snapshot holds besides a bare runtime and context (the prelude, compiled builtins). */
  setup: SnapshotSetup;
}

export class EnginePool {
  private snapshot: EngineSnapshot | null = null;
  private readonly ready: EngineInstance[] = [];

  constructor(private readonly options: EnginePoolOptions) {}

  /** A ready engine: from the pool, or created now (in this request). */
  async acquire(): Promise<Engine> {
    const pooled = this.snapshot ? this.ready.pop() : undefined;
    if (pooled && this.snapshot) return { instance: pooled, snapshot: this.snapshot };
    const instance = await createEngineInstance(this.options.hardMaxHeapBytes);
    if (this.snapshot && instance.trackerIndex !== this.snapshot.trackerIndex) {
      throw new Error("engine instances disagree on the rejection tracker's table slot");
    }
    if (this.snapshot) {
      restoreSnapshot(this.snapshot, instance.governor.memory, []);
      return { instance, snapshot: this.snapshot };
    }
    // First run in this isolate: the new instance becomes the snapshot. (If a concurrent request
    // stored one meanwhile, that one wins and is restored here instead.)
    const snapshot = takeSnapshot(instance, this.options.setup);
    if (this.snapshot) restoreSnapshot(this.snapshot, instance.governor.memory, []);
    else this.snapshot = snapshot;
    return { instance, snapshot: this.snapshot };
  }

  /**
   * The run on `engine` is over. `untouched` is what it never wrote (empty: unknown); `faulted` means
   * the engine may be broken and must not be reused.
   */
  release(engine: Engine, faulted: boolean, untouched: readonly UntouchedRange[]): void {
    const { instance, snapshot } = engine;
    if (faulted || instance.aborted || snapshot !== this.snapshot) return;
    if (this.ready.length >= this.options.maxPooled) return;
    if (instance.governor.byteLength > this.options.maxPoolableBytes) return;
    if (instance.stackPointer() !== snapshot.stackPointer) return;
    restoreSnapshot(snapshot, instance.governor.memory, untouched);
    instance.governor.reset();
    this.ready.push(instance);
  }

  /** Instances ready for a run (tests). */
  get size(): number {
    return this.ready.length;
  }

  /** The snapshot, once taken (tests). */
  get currentSnapshot(): EngineSnapshot | null {
    return this.snapshot;
  }
}
