import type { ErrorCode } from "./errors.js";
import type { TrawlRecord } from "./record.js";
import { STATS_MAX_HOSTS } from "./limits.js";

/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
}

/** Per-host figures kept for the summary's "slowest hosts" and "most failing hosts". */
export interface HostSummary {
  host: string;
  count: number;
  failed: number;
  averageMs: number;
}

/** Everything the end-of-run summary says (SPEC §5); the `--summary` JSON is this object. */
export interface RunSummary {
  total: number;
  ok: number;
  /** Records not ok, not counting the aborted ones. */
  failed: number;
  /** Records of URLs in flight when the run was stopped (`EABORTED`). */
  aborted: number;
  /** Records re-emitted from the response cache after a `304` (`"cached": true`); counted in `ok` too. */
  cached: number;
  /** True when the run was stopped before its end (a signal, or the caller): some URLs have no record. */
  interrupted: boolean;
  byCode: Partial<Record<ErrorCode, number>>;
  /** One URL per failure code, as an example. */
  examples: Partial<Record<ErrorCode, string>>;
  elapsedMs: number;
  urlsPerSecond: number;
  latencyMs: LatencySummary;
  bytes: number;
  slowestHosts: HostSummary[];
  failingHosts: HostSummary[];
  /** The slowest URLs of the run, slowest first. */
  slowestUrls: SlowUrl[];
}

/** One of the slowest URLs of a run. */
export interface SlowUrl {
  url: string;
  ms: number;
  status: number | null;
  code: ErrorCode | null;
}

const SLOWEST_KEPT = 5;

// Log-scale latency buckets, 1% wide: percentiles within 1% in a fixed 16 KB, whatever the run's length.
const GROWTH = Math.log(1.01);
const BUCKETS = 2048;

function bucketOf(ms: number): number {
  return ms < 1 ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(ms) / GROWTH));
}

function bucketValue(bucket: number): number {
  return bucket === 0 ? 0 : Math.round(Math.exp((bucket - 0.5) * GROWTH));
}

function hostOf(url: string): string | null {
  const start = url.indexOf("//");
  if (start === -1) return null;
  const end = url.indexOf("/", start + 2);
  return url.slice(start + 2, end === -1 ? undefined : end);
}

/**
 * Counters over a run, in constant memory: nothing is kept per finished URL beyond counts, a
 * fixed-size latency histogram and a capped table of hosts.
 */
export class RunStats {
  total = 0;
  ok = 0;
  aborted = 0;
  cached = 0;
  bytes = 0;
  /** Set when the run was stopped before its end. */
  interrupted = false;
  private readonly startedAt: number;
  private readonly byCode = new Map<ErrorCode, { count: number; example: string }>();
  private readonly latency = new Uint32Array(BUCKETS);
  private latencyCount = 0;
  private readonly hosts = new Map<string, { count: number; failed: number; totalMs: number }>();
  private readonly slowest: SlowUrl[] = [];

  constructor(now: number = performance.now()) {
    this.startedAt = now;
  }

  /** Records not ok, aborted ones apart. */
  get failed(): number {
    return this.total - this.ok - this.aborted;
  }

  /** Counts one finished record. */
  add(record: TrawlRecord): void {
    this.total++;
    this.bytes += record.bytes;
    if (record.ok) this.ok++;
    else if (record.error?.code === "EABORTED") this.aborted++;
    if (record.cached) this.cached++;
    if (record.error) {
      const entry = this.byCode.get(record.error.code);
      if (entry) entry.count++;
      else this.byCode.set(record.error.code, { count: 1, example: record.url });
    }
    if (record.attempts === 0) return;
    this.keepIfSlow(record);
    const bucket = bucketOf(record.ms);
    this.latency[bucket] = (this.latency[bucket] as number) + 1;
    this.latencyCount++;
    const host = hostOf(record.url);
    if (host === null) return;
    let entry = this.hosts.get(host);
    if (!entry && this.hosts.size < STATS_MAX_HOSTS) {
      entry = { count: 0, failed: 0, totalMs: 0 };
      this.hosts.set(host, entry);
    }
    if (entry) {
      entry.count++;
      entry.totalMs += record.ms;
      if (!record.ok) entry.failed++;
    }
  }

  /** Keeps the few slowest URLs, in a small sorted array (a record rarely gets in). */
  private keepIfSlow(record: TrawlRecord): void {
    const last = this.slowest[this.slowest.length - 1];
    if (this.slowest.length === SLOWEST_KEPT && last && last.ms >= record.ms) return;
    const entry = { url: record.url, ms: record.ms, status: record.status, code: record.error?.code ?? null };
    const at = this.slowest.findIndex((slow) => slow.ms < record.ms);
    this.slowest.splice(at === -1 ? this.slowest.length : at, 0, entry);
    if (this.slowest.length > SLOWEST_KEPT) this.slowest.pop();
  }

  /** The host with the highest average latency so far, or null. */
  slowestHost(): string | null {
    let best: string | null = null;
    let bestAverage = -1;
    for (const [host, h] of this.hosts) {
      const average = h.totalMs / h.count;
      if (average > bestAverage) {
        best = host;
        bestAverage = average;
      }
    }
    return best;
  }

  /** The latency at quantile q (0..1) in ms, to within 1%. */
  percentile(q: number): number {
    if (this.latencyCount === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.latencyCount));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.latency[bucket] as number;
      if (seen >= rank) return bucketValue(bucket);
    }
    return bucketValue(BUCKETS - 1);
  }

  /** Milliseconds since the run started. */
  elapsedMs(now: number = performance.now()): number {
    return Math.round(now - this.startedAt);
  }

  /** The summary as of now. */
  summary(now: number = performance.now()): RunSummary {
    const elapsedMs = this.elapsedMs(now);
    const hosts = [...this.hosts].map(([host, h]) => ({
      host,
      count: h.count,
      failed: h.failed,
      averageMs: Math.round(h.totalMs / h.count),
    }));
    const byCode: RunSummary["byCode"] = {};
    const examples: RunSummary["examples"] = {};
    for (const [code, { count, example }] of [...this.byCode].sort((a, b) => b[1].count - a[1].count)) {
      byCode[code] = count;
      examples[code] = example;
    }
    return {
      total: this.total,
      ok: this.ok,
      failed: this.failed,
      aborted: this.aborted,
      cached: this.cached,
      interrupted: this.interrupted,
      byCode,
      examples,
      elapsedMs,
      urlsPerSecond: elapsedMs > 0 ? Math.round((this.total * 10_000) / elapsedMs) / 10 : 0,
      latencyMs: { p50: this.percentile(0.5), p95: this.percentile(0.95), p99: this.percentile(0.99) },
      bytes: this.bytes,
      slowestHosts: hosts.sort((a, b) => b.averageMs - a.averageMs).slice(0, 3),
      failingHosts: hosts
        .filter((h) => h.failed > 0)
        .sort((a, b) => b.failed - a.failed)
        .slice(0, 3),
      slowestUrls: this.slowest.map((slow) => ({ ...slow })),
    };
  }
}
