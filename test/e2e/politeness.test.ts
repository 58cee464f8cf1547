/** Politeness (SPEC §2): --rate spaces requests per host; 429/503 slow one host down, not the others. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { type HttpTestServer, httpServer, page, sleep } from "../helpers/servers.js";

let paced: HttpTestServer;
let touchy: HttpTestServer;
let sturdy: HttpTestServer;
let sluggish: HttpTestServer;
/** Time-weighted in-flight samples of the touchy host, to see where its concurrency settles. */
const touchySamples: number[] = [];
let sampling: NodeJS.Timeout | undefined;

beforeAll(async () => {
  paced = await httpServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(page("paced"));
  });
  // Answers 429 whenever more than 4 requests are in progress at once, else 200 after 40 ms.
  touchy = await httpServer(async (_req, res) => {
    if (touchy.inFlight > 4) {
      res.writeHead(429, { "content-type": "text/plain" });
      res.end("slow down");
      return;
    }
    await sleep(40);
    res.writeHead(200, { "content-type": "text/html" });
    res.end(page("touchy"));
  });
  // Fast when lightly loaded, then slower with every request in progress beyond 2 (a struggling host).
  sluggish = await httpServer(async (_req, res) => {
    await sleep(20 + 250 * Math.max(0, sluggish.inFlight - 2));
    res.writeHead(200, { "content-type": "text/html" });
    res.end(page("sluggish"));
  });
  sturdy = await httpServer(
    async (_req, res) => {
      await sleep(40);
      res.writeHead(200, { "content-type": "text/html" });
      res.end(page("sturdy"));
    },
    { host: "127.0.0.2" },
  );
});
afterAll(() => {
  clearInterval(sampling);
  return Promise.all([paced.close(), touchy.close(), sturdy.close(), sluggish.close()]);
});

describe("--rate", () => {
  it("spaces one host's requests evenly: 10 at 10/s take about 0.9 s", async () => {
    paced.resetStats();
    const urls = Array.from({ length: 10 }, (_, i) => `${paced.url}/r/${i}`);
    const result = await runCli(["--rate", "10/s", "-c", "10", "-q", ...urls]);
    expect(result.code).toBe(0);
    const times = paced.log.map((request) => request.at).sort((a, b) => a - b);
    const span = (times.at(-1) as number) - (times[0] as number);
    // Nine intervals of 100 ms; the first request also pays for the connection, so allow some slack.
    expect(span).toBeGreaterThanOrEqual(750);
    expect(span).toBeLessThan(3000);
    // Evenly spaced, not in bursts: the typical gap is the interval (new sockets add jitter to a few).
    const gaps = times
      .slice(1)
      .map((t, i) => t - (times[i] as number))
      .sort((a, b) => a - b);
    expect(gaps[Math.floor(gaps.length / 2)]).toBeGreaterThanOrEqual(80);
  });

  it("rejects a bad rate", async () => {
    const result = await runCli(["--rate", "fast", `${paced.url}/x`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^trawl: --rate must be/);
  });
});

describe("adaptive per-host concurrency", () => {
  // 600 URLs, hundreds of 429s and their retries: up to the run's own 50 s limit.
  it("settles a host that answers 429 above 4 at about 4, while another host keeps full speed", { timeout: 60_000 }, async () => {
    touchy.resetStats();
    sturdy.resetStats();
    const urls: string[] = [];
    for (let i = 0; i < 300; i++) urls.push(`${touchy.url}/t/${i}`, `${sturdy.url}/s/${i}`);
    touchySamples.length = 0;
    sampling = setInterval(() => touchySamples.push(touchy.inFlight), 5);
    const result = await runCli(["-c", "32", "--per-host", "16", "-r", "8", "--retry-delay", "20ms", "-q"], {
      input: urls.join("\n"),
      timeoutMs: 50_000,
    });
    clearInterval(sampling);
    expect(result.code, result.stderr).toBe(0);
    expect(result.records.filter((r) => r.ok)).toHaveLength(600);
    // The sturdy host is never slowed: it reaches its full per-host limit.
    expect(sturdy.maxConcurrent).toBe(16);
    // The touchy host: after the first burst, it is mostly kept at or below its limit of 4.
    const late = touchySamples.slice(Math.floor(touchySamples.length / 3)).filter((n) => n > 0);
    const average = late.reduce((sum, n) => sum + n, 0) / late.length;
    expect(average).toBeLessThanOrEqual(5);
    expect(average).toBeGreaterThanOrEqual(1.5);
    // And the refusals stay a small share of its requests once trawl has learned.
    const refusals = touchy.requests - 300;
    expect(refusals / touchy.requests).toBeLessThan(0.35);
  });
});

describe("adaptive per-host concurrency on latency", () => {
  // 90 URLs through a host that slows to over a second per request: up to the run's own 55 s limit.
  it("lowers the concurrency of a host whose latency climbs under load", { timeout: 60_000 }, async () => {
    sluggish.resetStats();
    const samples: number[] = [];
    const timer = setInterval(() => samples.push(sluggish.inFlight), 10);
    const urls = Array.from({ length: 90 }, (_, i) => `${sluggish.url}/l/${i}`);
    const result = await runCli(["-c", "12", "-q", "-t", "60s"], { input: urls.join("\n"), timeoutMs: 55_000 });
    clearInterval(timer);
    expect(result.code, result.stderr).toBe(0);
    // Without adaptation all 12 would stay in flight (no 429s here): latency alone must bring it down.
    const late = samples.slice(Math.floor(samples.length / 2)).filter((n) => n > 0);
    const average = late.reduce((sum, n) => sum + n, 0) / late.length;
    expect(average).toBeLessThan(8);
  });
});
