import type { SpanRecord } from "./span";

// The isolate's finished spans waiting to be exported, the way OpenTelemetry's batch span
// processor holds them (docs/tracing.md): exported when a batch is full or a delay has passed since
// the first of them arrived, never one store call per request. Pure bookkeeping: the caller
// (workers/tracing/flush.ts) decides which invocation sends a batch and does the I/O.
//
// Spans are grouped by destination: the bindings object of the invocation that produced them
// (tests and per-request overrides may carry different tracing settings), so each group is sent
// with its own configuration.

export interface SpanQueueLimits {
  /** Send at the latest this long after the first pending span arrived (OTEL_BSP_SCHEDULE_DELAY). */
  scheduleDelayMs: number;
  /** Send at once when this many spans are pending (OTEL_BSP_MAX_EXPORT_BATCH_SIZE). */
  maxExportBatchSize: number;
  /** Drop (and count) spans beyond this many pending (OTEL_BSP_MAX_QUEUE_SIZE). */
  maxQueueSize: number;
}

export interface SpanBatch<D> {
  destination: D;
  spans: SpanRecord[];
}

/** How long a scheduled send may be overdue before another invocation takes it over. */
export const SCHEDULE_GRACE_MS = 5_000;

export class SpanQueue<D> {
  private groups = new Map<D, SpanRecord[]>();
  private size = 0;
  /** When the pending spans' send was scheduled (by the invocation that will send it); null: none. */
  private scheduledAt: number | null = null;
  /** Spans dropped because the queue was full, not yet reported. */
  private droppedSinceDrain = 0;

  /** Queues `spans` for `destination`; returns how many did not fit. */
  add(destination: D, spans: readonly SpanRecord[], limits: SpanQueueLimits): number {
    const room = Math.max(0, limits.maxQueueSize - this.size);
    const taken = spans.length <= room ? spans : spans.slice(0, room);
    if (taken.length > 0) {
      const group = this.groups.get(destination);
      if (group) group.push(...taken);
      else this.groups.set(destination, [...taken]);
      this.size += taken.length;
    }
    const dropped = spans.length - taken.length;
    this.droppedSinceDrain += dropped;
    return dropped;
  }

  get pending(): number {
    return this.size;
  }

  /** True when the pending spans should be sent now, by whoever is running. */
  sendNow(limits: SpanQueueLimits): boolean {
    return this.size > 0 && (this.size >= limits.maxExportBatchSize || limits.scheduleDelayMs <= 0);
  }

  /**
   * True when the caller should schedule the send (sleep `scheduleDelayMs`, then `drain`): spans are
   * pending and no send is scheduled, or the one scheduled is long overdue (its invocation ended
   * before it ran). Marks the send as scheduled.
   */
  claimSchedule(now: number, limits: SpanQueueLimits): boolean {
    if (this.size === 0) return false;
    if (this.scheduledAt !== null && now - this.scheduledAt < limits.scheduleDelayMs + SCHEDULE_GRACE_MS) return false;
    this.scheduledAt = now;
    return true;
  }

  /** Takes everything pending, one batch per destination, and how many spans were dropped since the last drain. */
  drain(): { batches: SpanBatch<D>[]; dropped: number } {
    const batches = [...this.groups].map(([destination, spans]) => ({ destination, spans }));
    const dropped = this.droppedSinceDrain;
    this.groups = new Map();
    this.size = 0;
    this.scheduledAt = null;
    this.droppedSinceDrain = 0;
    return { batches, dropped };
  }
}
