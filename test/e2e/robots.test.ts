/** --robots (SPEC §2): robots.txt fetched once per origin; disallowed URLs get EROBOTS. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { recordFor, recordsByPath } from "../helpers/records.js";
import { type HttpTestServer, httpServer, page, requestsTo } from "../helpers/servers.js";

/** A server whose robots.txt answer is given per test. */
async function siteWithRobots(robots: (res: import("node:http").ServerResponse) => void): Promise<HttpTestServer> {
  return httpServer((req, res) => {
    if (req.url === "/robots.txt") return robots(res);
    res.writeHead(200, { "content-type": "text/html" });
    res.end(page(`page ${req.url}`, '<a href="/private/linked">p</a><a href="/public/linked">q</a>'));
  });
}

const robotsHits = (server: HttpTestServer) => requestsTo(server, "/robots.txt").length;
const codeOf = (records: { url: string; error: { code: string } | null }[], path: string) =>
  recordsByPath(records).get(path)?.error?.code ?? null;

let rules: HttpTestServer;
let missing: HttpTestServer;
let broken: HttpTestServer;
let slow: HttpTestServer;

beforeAll(async () => {
  rules = await siteWithRobots((res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("User-agent: *\nDisallow: /private/\n\nUser-agent: otherbot\nDisallow: /\n");
  });
  missing = await siteWithRobots((res) => {
    res.writeHead(404);
    res.end();
  });
  broken = await siteWithRobots((res) => {
    res.writeHead(503);
    res.end();
  });
  slow = await siteWithRobots((res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("User-agent: *\nCrawl-delay: 0.3\n");
  });
});
afterAll(() => Promise.all([rules.close(), missing.close(), broken.close(), slow.close()]));

describe("--robots", () => {
  it("gives EROBOTS to disallowed URLs, fetches the rest, and reads robots.txt once", async () => {
    rules.resetStats();
    const urls = [...Array.from({ length: 8 }, (_, i) => `${rules.url}/public/${i}`), `${rules.url}/private/a`, `${rules.url}/private/b`];
    const result = await runCli(["--robots", "-c", "8", "-q", ...urls]);
    expect(result.code).toBe(1);
    expect(result.records).toHaveLength(10);
    expect(codeOf(result.records, "/private/a")).toBe("EROBOTS");
    expect(recordFor(result, `${rules.url}/private/b`)).toMatchObject({ status: null, attempts: 0 });
    expect(result.records.filter((r) => r.ok)).toHaveLength(8);
    expect(robotsHits(rules)).toBe(1);
    expect(rules.log.some((r) => r.url.startsWith("/private/"))).toBe(false);
  });

  it("is off by default", async () => {
    rules.resetStats();
    const result = await runCli(["-q", `${rules.url}/private/a`]);
    expect(result.records[0]?.ok).toBe(true);
    expect(robotsHits(rules)).toBe(0);
  });

  it("applies to crawled links too", async () => {
    const result = await runCli(["--robots", "--crawl", "--depth", "1", "-q", `${rules.url}/public/start`]);
    expect(codeOf(result.records, "/private/linked")).toBe("EROBOTS");
    expect(codeOf(result.records, "/public/linked")).toBeNull();
  });

  it("matches the user agent's own group", async () => {
    const result = await runCli(["--robots", "-A", "otherbot/1.0", "-q", `${rules.url}/public/1`]);
    expect(codeOf(result.records, "/public/1")).toBe("EROBOTS");
  });

  it("allows everything when robots.txt is 4xx", async () => {
    const result = await runCli(["--robots", "-q", `${missing.url}/private/a`]);
    expect(result.records[0]?.ok).toBe(true);
  });

  it("disallows everything when robots.txt keeps failing with 5xx, after retrying it", async () => {
    broken.resetStats();
    const result = await runCli(["--robots", "-r", "2", "--retry-delay", "10ms", "-q", `${broken.url}/a`, `${broken.url}/b`]);
    expect(result.records.map((r) => r.error?.code)).toEqual(["EROBOTS", "EROBOTS"]);
    expect(robotsHits(broken)).toBe(3);
    expect(broken.log.some((r) => r.url !== "/robots.txt")).toBe(false);
  });

  it("paces a host by its Crawl-delay", async () => {
    slow.resetStats();
    const urls = Array.from({ length: 5 }, (_, i) => `${slow.url}/p/${i}`);
    const result = await runCli(["--robots", "-c", "5", "-q", ...urls]);
    expect(result.code).toBe(0);
    const times = slow.log
      .filter((r) => r.url !== "/robots.txt")
      .map((r) => r.at)
      .sort((a, b) => a - b);
    // Four intervals of 300 ms between five requests (the first socket's connect adds some jitter).
    expect((times.at(-1) as number) - (times[0] as number)).toBeGreaterThanOrEqual(1000);
  });
});
