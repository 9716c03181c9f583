import { addRecord, emptyMinute, mergeAggregate, minuteOf, type MinuteAggregate, type RequestRecord } from "./rollup";
import { FLUSH_INTERVAL_MS, FLUSH_MAX_RECORDS, MAX_PENDING_MINUTES } from "./store-config";

/**
 * An isolate's requests not yet flushed to the rollup store, aggregated per minute. Flushes are
 * independent: `drain` hands a request everything pending and starts over, so two flushes in
 * flight carry disjoint data and the store's merge does not care about their order. A failed flush
 * puts its data back (within MAX_PENDING_MINUTES).
 */
export class MetricsBuffer {
  private minutes = new Map<number, MinuteAggregate>();
  private records = 0;
  /** Start of the current flush interval: the last flush, or the first request after it. */
  private intervalStart: number | null = null;

  add(record: RequestRecord): void {
    const minute = minuteOf(record.at);
    let aggregate = this.minutes.get(minute);
    if (!aggregate) {
      aggregate = emptyMinute(minute);
      this.minutes.set(minute, aggregate);
      this.bound();
    }
    addRecord(aggregate, record);
    this.records += 1;
    this.intervalStart ??= record.at;
  }

  /** Requests waiting for the next flush. */
  get pending(): number {
    return this.records;
  }

  /** True when a flush is due: FLUSH_INTERVAL_MS since the interval began, or FLUSH_MAX_RECORDS waiting. */
  shouldFlush(now: number): boolean {
    if (this.records === 0) return false;
    return this.records >= FLUSH_MAX_RECORDS || now - (this.intervalStart ?? now) >= FLUSH_INTERVAL_MS;
  }

  /** Takes everything pending. */
  drain(now: number): MinuteAggregate[] {
    const batch = [...this.minutes.values()].sort((a, b) => a.minute - b.minute);
    this.minutes = new Map();
    this.records = 0;
    this.intervalStart = now;
    return batch;
  }

  /** After a failed flush: the data goes back for the next one. */
  restore(batch: MinuteAggregate[]): void {
    for (const partial of batch) {
      const known = this.minutes.get(partial.minute);
      if (known) mergeAggregate(known, partial);
      else this.minutes.set(partial.minute, partial);
      this.records += partial.total.requests;
    }
    this.bound();
  }

  /** Keeps at most MAX_PENDING_MINUTES minutes (drops the oldest). */
  private bound(): void {
    if (this.minutes.size <= MAX_PENDING_MINUTES) return;
    const minutes = [...this.minutes.keys()].sort((a, b) => a - b);
    for (const minute of minutes.slice(0, minutes.length - MAX_PENDING_MINUTES)) {
      this.records -= this.minutes.get(minute)!.total.requests;
      this.minutes.delete(minute);
    }
  }
}
