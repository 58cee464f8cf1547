/**
 * Signals (SPEC §5): on SIGINT or SIGTERM trawl stops taking URLs, aborts what is in flight (those
 * records get EABORTED), flushes every finished record whole, and exits 130 or 143.
 */
import { afterEach, describe, expect, it } from "vitest";
import { collect, parseRecords, spawnCli } from "../helpers/cli.js";
import { recordsByUrl } from "../helpers/records.js";
import { type HttpTestServer, httpServer, page, sendHtml, sleep } from "../helpers/servers.js";
import { until } from "../helpers/wait.js";

const HANGING = 50;
const FAST = 5;
let server: HttpTestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe.each([
  { signal: "SIGINT" as const, code: 130 },
  { signal: "SIGTERM" as const, code: 143 },
])("$signal while requests hang", ({ signal, code }) => {
  it(`exits ${code} within 3 s with every record whole and in-flight URLs EABORTED`, async () => {
    // /fast/* answers at once; everything else is accepted and never answered.
    server = await httpServer((req, res) => {
      if (req.url?.startsWith("/fast/")) sendHtml(res, page("fast"));
    });
    const fast = Array.from({ length: FAST }, (_, i) => `${server!.url}/fast/${i}`);
    const hanging = Array.from({ length: HANGING }, (_, i) => `${server!.url}/hang/${i}`);
    const child = spawnCli(["-c", "64", "-t", "60s", "-r", "0"], { input: [...fast, ...hanging].join("\n") });
    const done = collect(child, 15_000);
    const current = server;
    await until(() => current.requests === FAST + HANGING && current.inFlight === HANGING, "all requests to arrive");
    const signalledAt = performance.now();
    child.kill(signal);
    const result = await done;
    const exitMs = performance.now() - signalledAt;

    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(code);
    expect(exitMs).toBeLessThan(3_000);
    // Every line is a whole JSON record (parseRecords throws on a half line).
    expect(result.stdout === "" || result.stdout.endsWith("\n")).toBe(true);
    const records = parseRecords(result.stdout);
    const byUrl = recordsByUrl(records);
    expect(byUrl.size).toBe(records.length);
    for (const url of fast) expect(byUrl.get(url), url).toMatchObject({ ok: true, status: 200 });
    for (const url of hanging) {
      expect(byUrl.get(url), url).toMatchObject({ ok: false, error: { code: "EABORTED" } });
    }
    expect(records).toHaveLength(FAST + HANGING);
  });
});

describe("a signal with URLs still queued", () => {
  it("stops taking URLs: queued ones are never requested, nothing is reported ok", async () => {
    server = await httpServer(() => {});
    const urls = Array.from({ length: 40 }, (_, i) => `${server!.url}/q/${i}`);
    const child = spawnCli(["-c", "4", "-t", "60s", "-r", "0"], { input: urls.join("\n") });
    const done = collect(child, 15_000);
    const current = server;
    await until(() => current.inFlight === 4, "four requests in flight");
    child.kill("SIGINT");
    const result = await done;
    expect(result.code).toBe(130);
    await sleep(100);
    expect(current.requests).toBe(4);
    const records = result.records;
    // The four in flight are reported aborted. The SPEC names no record for URLs never started;
    // some may be reported EABORTED too (read ahead from the input), none as anything else.
    const requested = current.log.map((r) => `${current.url}${r.url}`);
    const byUrl = recordsByUrl(records);
    for (const url of requested) expect(byUrl.has(url), url).toBe(true);
    expect(records.length).toBeLessThanOrEqual(urls.length);
    expect(records.filter((r) => r.error?.code !== "EABORTED")).toEqual([]);
  });
});
