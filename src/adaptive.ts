/**
 * Per-host adaptive concurrency (SPEC §2): when a host answers 429 or 503 it is asking for less,
 * so its limit is halved (multiplicative decrease, at most once per window of requests so one
 * burst of refusals does not drive it to 1), and raised by one after a window of good answers
 * (additive increase), back up to the configured per-host limit. Other hosts are not touched.
 */
export class AdaptiveLimits {
  private readonly hosts = new Map<string, { limit: number; good: number; sinceCut: number }>();

  constructor(private readonly maxPerHost: number) {}

  /** The current limit for `host`. */
  limitOf(host: string): number {
    return this.hosts.get(host)?.limit ?? this.maxPerHost;
  }

  /** Learns from one answer of `host`: its HTTP status, or null for a network failure. */
  observe(host: string, status: number | null): void {
    let state = this.hosts.get(host);
    const overloaded = status === 429 || status === 503;
    if (!state) {
      if (!overloaded) return; // a host at full speed needs no state
      state = { limit: this.maxPerHost, good: 0, sinceCut: Number.POSITIVE_INFINITY };
      this.hosts.set(host, state);
    }
    state.sinceCut++;
    if (overloaded) {
      state.good = 0;
      // Answers to requests sent before the last cut say nothing new about the new limit.
      if (state.sinceCut > state.limit) {
        state.limit = Math.max(1, Math.floor(state.limit / 2));
        state.sinceCut = 0;
      }
      return;
    }
    if (status === null || status >= 500) return;
    state.good++;
    if (state.good >= state.limit * 4) {
      state.good = 0;
      state.limit++;
      if (state.limit >= this.maxPerHost) this.hosts.delete(host);
    }
  }
}
