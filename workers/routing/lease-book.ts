/**
 * Concurrency leases of one region's pool. A lease is a slot on a backend held for the length of
 * one execution; it carries an expiry so a caller that crashes (or whose release is lost) cannot
 * leak the slot: expired leases stop counting the next time the book is read.
 *
 * A plain in-memory structure with time passed in, so the pool Durable Object stays thin and this
 * is tested directly.
 */
export interface Lease {
  id: string;
  backendId: string;
  acquiredAt: number;
  expiresAt: number;
}

export class LeaseBook {
  private readonly leases = new Map<string, Lease>();
  private readonly perBackend = new Map<string, number>();
  /** Earliest expiry among held leases; lets sweep() skip the scan when nothing can have expired. */
  private nextExpiry = Number.POSITIVE_INFINITY;

  /** Drops expired leases; returns them (their callers never released). */
  sweep(now: number): Lease[] {
    if (now < this.nextExpiry) return [];
    const expired: Lease[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const lease of this.leases.values()) {
      if (lease.expiresAt <= now) expired.push(lease);
      else next = Math.min(next, lease.expiresAt);
    }
    for (const lease of expired) this.remove(lease);
    this.nextExpiry = next;
    return expired;
  }

  inFlight(backendId: string): number {
    return this.perBackend.get(backendId) ?? 0;
  }

  get size(): number {
    return this.leases.size;
  }

  add(lease: Lease): void {
    this.leases.set(lease.id, lease);
    this.perBackend.set(lease.backendId, this.inFlight(lease.backendId) + 1);
    this.nextExpiry = Math.min(this.nextExpiry, lease.expiresAt);
  }

  /** Releases a lease; undefined when it is unknown (already released, or expired and swept). */
  release(leaseId: string): Lease | undefined {
    const lease = this.leases.get(leaseId);
    if (lease) this.remove(lease);
    return lease;
  }

  /** In-flight counts per backend, for snapshots. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.perBackend);
  }

  private remove(lease: Lease): void {
    this.leases.delete(lease.id);
    const left = this.inFlight(lease.backendId) - 1;
    if (left > 0) this.perBackend.set(lease.backendId, left);
    else this.perBackend.delete(lease.backendId);
  }
}
