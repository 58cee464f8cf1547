import { setTimeout as sleep } from "node:timers/promises";
import { MAX_TIMER_MS } from "../limits.js";

/**
 * Spaces the requests to each host evenly at `ratePerSecond` (SPEC §2: 20 requests at 10/s take
 * about 1.9 s). Every worker shares one schedule per host: each request books the next free slot,
 * one interval after the last, and waits for it. A host idle for a while starts again at once,
 * without a burst (the schedule does not bank unused slots).
 */
export class HostPacer {
  private readonly nextSlot = new Map<string, number>();

  constructor(private readonly intervalMsOf: (host: string) => number | null) {}

  /** Waits for `host`'s next slot; resolves false at once if `signal` aborts. */
  async wait(host: string, signal: AbortSignal): Promise<boolean> {
    const intervalMs = this.intervalMsOf(host);
    if (intervalMs === null || intervalMs <= 0) return !signal.aborted;
    const now = performance.now();
    const slot = Math.max(now, this.nextSlot.get(host) ?? now);
    this.nextSlot.set(host, slot + intervalMs);
    this.forgetIdleHosts(now);
    if (slot <= now) return !signal.aborted;
    try {
      // Slots are booked one interval after another, so a long queue waits past what one Node
      // timer can (2^31-1 ms; a longer one fires at once): wait in pieces.
      for (let left = slot - now; left > 0; left = slot - performance.now()) {
        await sleep(Math.min(left, MAX_TIMER_MS), undefined, { signal });
      }
      return true;
    } catch {
      return false;
    }
  }

  // Hosts whose next slot is in the past need no entry: a list of a million hosts keeps few.
  private forgetIdleHosts(now: number): void {
    if (this.nextSlot.size < 4096) return;
    for (const [host, slot] of this.nextSlot) if (slot < now) this.nextSlot.delete(host);
  }
}
