import { describe, expect, it } from "vitest";
import type { ErrorCode } from "../../src/errors.js";
import type { TrawlRecord } from "../../src/record.js";
import { RunStats } from "../../src/stats.js";
import { okRecord } from "../helpers/records.js";

function record(url: string, ms: number, code: ErrorCode | null = null, overrides: Partial<TrawlRecord> = {}): TrawlRecord {
  const failure = code ? { status: 500, ok: false, error: { code, message: code } } : {};
  return okRecord(url, { ms, bytes: 100, ...failure, ...overrides });
}

const within = (actual: number, expected: number, fraction = 0.02) => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.max(1, expected * fraction));
};

describe("RunStats", () => {
  it("computes percentiles of a uniform 1..10000 ms distribution within 2%", () => {
    const stats = new RunStats(0);
    // Shuffled, so the histogram cannot depend on arrival order.
    const values = Array.from({ length: 10_000 }, (_, i) => i + 1).sort((a, b) => ((a * 7919) % 10_007) - ((b * 7919) % 10_007));
    for (const ms of values) stats.add(record(`https://h.test/${ms}`, ms));
    within(stats.percentile(0.5), 5000);
    within(stats.percentile(0.95), 9500);
    within(stats.percentile(0.99), 9900);
    const summary = stats.summary(1000);
    within(summary.latencyMs.p50, 5000);
    within(summary.latencyMs.p95, 9500);
    within(summary.latencyMs.p99, 9900);
  });

  it("computes percentiles of a skewed distribution (mostly fast, a slow tail)", () => {
    const stats = new RunStats(0);
    for (let i = 0; i < 900; i++) stats.add(record("https://h.test/", 20));
    for (let i = 0; i < 90; i++) stats.add(record("https://h.test/", 800));
    for (let i = 0; i < 10; i++) stats.add(record("https://h.test/", 15_000));
    within(stats.percentile(0.5), 20);
    within(stats.percentile(0.95), 800);
    within(stats.percentile(0.99), 800);
    within(stats.percentile(0.999), 15_000);
  });

  it("handles 0 ms and no latencies at all", () => {
    const empty = new RunStats(0);
    expect(empty.percentile(0.5)).toBe(0);
    expect(empty.summary(0)).toMatchObject({ total: 0, ok: 0, failed: 0, urlsPerSecond: 0, latencyMs: { p50: 0, p95: 0, p99: 0 } });
    const zero = new RunStats(0);
    zero.add(record("https://h.test/", 0));
    expect(zero.percentile(0.5)).toBe(0);
  });

  it("leaves records that made no attempt out of the latency figures", () => {
    const stats = new RunStats(0);
    stats.add(record("https://h.test/", 1000));
    for (let i = 0; i < 5; i++) stats.add(record(`bad line ${i}`, 0, "EINVALIDURL", { attempts: 0 }));
    within(stats.percentile(0.5), 1000);
    expect(stats.summary(1).total).toBe(6);
  });

  it("counts failures by code with the first URL as an example, most frequent first", () => {
    const stats = new RunStats(0);
    stats.add(record("https://a.test/ok", 10));
    stats.add(record("https://a.test/t1", 10, "ETIMEOUT"));
    stats.add(record("https://b.test/404", 10, "EHTTP"));
    stats.add(record("https://a.test/t2", 10, "ETIMEOUT"));
    stats.add(record("https://c.test/t3", 10, "ETIMEOUT"));
    stats.add(record("https://d.test/refused", 10, "ECONNREFUSED"));
    const summary = stats.summary(1000);
    expect(summary).toMatchObject({ total: 6, ok: 1, failed: 5 });
    expect(summary.byCode).toEqual({ ETIMEOUT: 3, EHTTP: 1, ECONNREFUSED: 1 });
    expect(Object.keys(summary.byCode)[0]).toBe("ETIMEOUT");
    expect(summary.examples).toEqual({
      ETIMEOUT: "https://a.test/t1",
      EHTTP: "https://b.test/404",
      ECONNREFUSED: "https://d.test/refused",
    });
    expect(summary.bytes).toBe(600);
  });

  it("computes elapsed time and URLs per second from the clock it is given", () => {
    const stats = new RunStats(500);
    for (let i = 0; i < 100; i++) stats.add(record(`https://h.test/${i}`, 5));
    const summary = stats.summary(2500);
    expect(summary.elapsedMs).toBe(2000);
    expect(summary.urlsPerSecond).toBe(50);
    expect(stats.summary(3500).urlsPerSecond).toBeCloseTo(33.3, 5);
    expect(stats.elapsedMs(1500)).toBe(1000);
  });

  it("ranks the slowest and most failing hosts", () => {
    const stats = new RunStats(0);
    for (let i = 0; i < 3; i++) stats.add(record("https://fast.test/x", 10));
    for (let i = 0; i < 3; i++) stats.add(record("https://slow.test:8080/x", 3000, i === 0 ? "ETIMEOUT" : null));
    for (let i = 0; i < 2; i++) stats.add(record("https://broken.test/x", 100, "ECONNRESET"));
    stats.add(record("http://medium.test", 500));
    const summary = stats.summary(10_000);
    expect(summary.slowestHosts.map((host) => host.host)).toEqual(["slow.test:8080", "medium.test", "broken.test"]);
    expect(summary.slowestHosts[0]).toEqual({ host: "slow.test:8080", count: 3, failed: 1, averageMs: 3000 });
    expect(summary.failingHosts.map((host) => [host.host, host.failed])).toEqual([
      ["broken.test", 2],
      ["slow.test:8080", 1],
    ]);
  });
});
