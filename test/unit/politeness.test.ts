import { describe, expect, it } from "vitest";
import { AdaptiveLimits } from "../../src/politeness/adaptive-limits.js";
import { UsageError } from "../../src/errors.js";
import { parseFlags } from "../../src/cli/flags.js";
import { parseRate } from "../../src/cli/values.js";
import { HostPacer } from "../../src/politeness/host-pacer.js";
import { MAX_CRAWL_DELAY_SECONDS } from "../../src/limits.js";
import { RobotsCache } from "../../src/politeness/robots.js";

describe("parseRate", () => {
  it("reads per second and per minute", () => {
    expect(parseRate("10/s")).toBe(10);
    expect(parseRate("10")).toBe(10);
    expect(parseRate("30/m")).toBe(0.5);
    expect(parseRate("2.5/s")).toBe(2.5);
  });
  it.each(["0", "-1/s", "ten", "5/h", ""])("rejects %j naming --rate", (text) => {
    const parse = () => parseFlags(["https://example.com/"], { dedupe: true, rate: text }, true);
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(`--rate must be a number of requests per host, such as 10/s or 30/m, got \`${text}\``);
  });
});

describe("HostPacer", () => {
  it("spaces one host's requests evenly, shared by every caller, and leaves other hosts alone", async () => {
    const pacer = new HostPacer(() => 50);
    const signal = new AbortController().signal;
    const started = performance.now();
    const times: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => pacer.wait("a", signal).then(() => times.push(performance.now() - started))));
    times.sort((x, y) => x - y);
    // Six slots 50 ms apart: the first at once, the last about 250 ms later.
    expect(times[0]).toBeLessThan(40);
    expect(times[5]).toBeGreaterThanOrEqual(240);
    const other = performance.now();
    await pacer.wait("b", signal);
    expect(performance.now() - other).toBeLessThan(40);
  });

  it("wakes at once with false when the run is aborted", async () => {
    const pacer = new HostPacer(() => 10_000);
    const controller = new AbortController();
    await pacer.wait("a", controller.signal);
    const waiting = pacer.wait("a", controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
  });
});

describe("AdaptiveLimits", () => {
  it("halves a host's limit on 429/503, once per window, and leaves other hosts at full speed", () => {
    const limits = new AdaptiveLimits(16);
    limits.observe("a", 429);
    expect(limits.limitOf("a")).toBe(8);
    // The rest of the same burst (answers to requests sent before the cut) does not cut again.
    for (let i = 0; i < 8; i++) limits.observe("a", 429);
    expect(limits.limitOf("a")).toBe(8);
    limits.observe("a", 503);
    expect(limits.limitOf("a")).toBe(4);
    expect(limits.limitOf("b")).toBe(16);
  });

  it("never goes below 1 and climbs back by one after a window of good answers", () => {
    const limits = new AdaptiveLimits(4);
    for (let i = 0; i < 50; i++) limits.observe("a", 429);
    expect(limits.limitOf("a")).toBe(1);
    for (let i = 0; i < 4; i++) limits.observe("a", 200);
    expect(limits.limitOf("a")).toBe(2);
    for (let i = 0; i < 200; i++) limits.observe("a", 200);
    expect(limits.limitOf("a")).toBe(4);
  });

  it("is not moved by other failures", () => {
    const limits = new AdaptiveLimits(8);
    limits.observe("a", 500);
    limits.observe("a", null);
    limits.observe("a", 404);
    expect(limits.limitOf("a")).toBe(8);
  });
});

describe("AdaptiveLimits on latency", () => {
  it("halves a host whose answers become far slower than its baseline, and only that host", () => {
    const limits = new AdaptiveLimits(16);
    for (let i = 0; i < 20; i++) limits.observe("a", 200, 50);
    expect(limits.limitOf("a")).toBe(16);
    for (let i = 0; i < 10; i++) limits.observe("a", 200, 3000);
    expect(limits.limitOf("a")).toBeLessThan(16);
    expect(limits.limitOf("b")).toBe(16);
  });

  it("ignores ordinary jitter and queueing (a few times slower, but by less than a second)", () => {
    const limits = new AdaptiveLimits(16);
    for (let i = 0; i < 20; i++) limits.observe("a", 200, 50);
    for (let i = 0; i < 50; i++) limits.observe("a", 200, 400 + (i % 5) * 100);
    expect(limits.limitOf("a")).toBe(16);
  });

  it("climbs back once the host is fast again", () => {
    const limits = new AdaptiveLimits(8);
    for (let i = 0; i < 20; i++) limits.observe("a", 200, 50);
    for (let i = 0; i < 40; i++) limits.observe("a", 200, 4000);
    const cut = limits.limitOf("a");
    expect(cut).toBeLessThan(8);
    for (let i = 0; i < 500; i++) limits.observe("a", 200, 50);
    expect(limits.limitOf("a")).toBe(8);
  });
});

describe("waits longer than one Node timer can", () => {
  // A timer over 2^31-1 ms fires after 1 ms (with a TimeoutOverflowWarning): a second request booked
  // 2^31 ms after the first must still wait, not go out at once.
  it("keeps a request booked 2^31 ms ahead waiting, until the run stops", async () => {
    const pacer = new HostPacer(() => 2 ** 31);
    const controller = new AbortController();
    expect(await pacer.wait("h", controller.signal)).toBe(true);
    let settled: boolean | null = null;
    const second = pacer.wait("h", controller.signal).then((value) => (settled = value));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(null);
    controller.abort();
    await second;
    expect(settled).toBe(false);
  });

  it("takes a Crawl-delay of a day as the longest it obeys", async () => {
    const body = Buffer.from("User-agent: *\nCrawl-delay: 86400\n");
    const robots = new RobotsCache(
      async (url) => ({
        finalUrl: url,
        status: 200,
        contentType: "text/plain",
        body,
        error: null,
        retryAfterMs: null,
        responseHeaders: null,
        requestHeaders: null,
        attempts: 1,
      }),
      "trawl",
    );
    await robots.check("http://example.test/page");
    expect(robots.crawlDelayMs("example.test")).toBe(MAX_CRAWL_DELAY_SECONDS * 1000);
  });
});
