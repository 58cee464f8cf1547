import { ADAPTIVE_MAX_HOSTS } from "../limits.js";

/**
 * Per-host adaptive concurrency (SPEC §2). A host is asking for less when it answers 429 or 503,
 * or when its latency climbs well above the fastest it has shown: then its limit is halved
 * (multiplicative decrease, at most once per window of answers, so one burst does not drive it to
 * 1), and raised by one after a window of good answers (additive increase), back up to the
 * configured per-host limit. Other hosts are not touched.
 */

// Latency is "climbing" when its moving average passes both of these against the host's baseline:
// several times slower, and slower by a margin no ordinary jitter or queueing reaches.
const SLOW_FACTOR = 4;
const SLOW_MARGIN_MS = 1000;
const SMOOTHING = 0.2;
const WARM_UP = 5;

interface HostState {
  limit: number;
  good: number;
  sinceCut: number;
  /** Exponentially weighted moving average of answer times, ms. */
  averageMs: number;
  /** The lowest average seen after warm-up: what this host is like when it is well. */
  baselineMs: number;
  samples: number;
}

export class AdaptiveLimits {
  private readonly hosts = new Map<string, HostState>();

  constructor(private readonly maxPerHost: number) {}

  /** The current limit for `host`. */
  limitOf(host: string): number {
    return this.hosts.get(host)?.limit ?? this.maxPerHost;
  }

  private stateOf(host: string): HostState {
    let state = this.hosts.get(host);
    if (!state) {
      state = {
        limit: this.maxPerHost,
        good: 0,
        sinceCut: Number.POSITIVE_INFINITY,
        averageMs: 0,
        baselineMs: Number.POSITIVE_INFINITY,
        samples: 0,
      };
      this.hosts.set(host, state);
      if (this.hosts.size > ADAPTIVE_MAX_HOSTS) this.hosts.delete(this.hosts.keys().next().value as string);
    }
    return state;
  }

  /** Learns from one answer of `host`: its HTTP status (null for a network failure) and how long it took. */
  observe(host: string, status: number | null, ms: number | null = null): void {
    const state = this.stateOf(host);
    state.sinceCut++;
    const overloaded = status === 429 || status === 503;
    let slow = false;
    if (ms !== null && status !== null && !overloaded) {
      state.averageMs = state.samples === 0 ? ms : state.averageMs + SMOOTHING * (ms - state.averageMs);
      state.samples++;
      if (state.samples >= WARM_UP) state.baselineMs = Math.min(state.baselineMs, state.averageMs);
      const baseline = state.baselineMs;
      slow = Number.isFinite(baseline) && state.averageMs > Math.max(baseline * SLOW_FACTOR, baseline + SLOW_MARGIN_MS);
    }
    if (overloaded || slow) {
      state.good = 0;
      // Answers to requests sent before the last cut say nothing new about the new limit.
      if (state.sinceCut > state.limit) {
        state.limit = Math.max(1, Math.floor(state.limit / 2));
        state.sinceCut = 0;
      }
      return;
    }
    if (status === null || status >= 500 || state.limit >= this.maxPerHost) return;
    state.good++;
    if (state.good >= state.limit * 4) {
      state.good = 0;
      state.limit++;
    }
  }
}
