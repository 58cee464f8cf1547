/**
 * Retry policy (SPEC §2): retryable statuses and errors are retried up to `-r` extra times, other
 * statuses are not, and `Retry-After` sets the wait unless it is longer than 60 s.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { type HttpTestServer, closedPort, httpServer, page, requestsTo, routes, sendHtml } from "../helpers/servers.js";

const FAST = ["--retry-delay", "10ms"];
let server: HttpTestServer;

/** Answers `failures` times with `status` (and extra headers), then 200, counting per path. */
function failThenSucceed(failures: number, status: number, headers: Record<string, string> = {}) {
  let seen = 0;
  return (_req: IncomingMessage, res: ServerResponse) => {
    seen++;
    if (seen <= failures) sendHtml(res, page(`fail ${seen}`), status, headers);
    else sendHtml(res, page("Recovered"));
  };
}

/** Request arrival times for one path, in ms. */
function arrivals(path: string): number[] {
  return requestsTo(server, path).map((r) => r.at);
}

beforeAll(async () => {
  server = await httpServer(
    routes({
      "/flaky-503": failThenSucceed(2, 503),
      "/always-500": (_req, res) => sendHtml(res, page("Broken"), 500),
      "/not-found": (_req, res) => sendHtml(res, page("Missing"), 404),
      "/throttled": failThenSucceed(1, 429, { "retry-after": "1" }),
      "/throttled-long": (_req, res) => sendHtml(res, page("Slow down"), 429, { "retry-after": "120" }),
    }),
  );
});
afterAll(() => server.close());

describe.concurrent("retries", () => {
  it("retries 503 and succeeds on the third attempt", async ({ expect }) => {
    const result = await runCli([`${server.url}/flaky-503`, ...FAST]);
    expect(result.code).toBe(0);
    expect(result.records[0]).toMatchObject({ ok: true, status: 200, attempts: 3, title: "Recovered", error: null });
    expect(arrivals("/flaky-503")).toHaveLength(3);
  });

  it("gives up after -r 1 on a route that always answers 500", async ({ expect }) => {
    const result = await runCli([`${server.url}/always-500`, "-r", "1", ...FAST]);
    expect(result.code).toBe(1);
    expect(result.records[0]).toMatchObject({ ok: false, status: 500, attempts: 2, error: { code: "EHTTP" } });
    expect(arrivals("/always-500")).toHaveLength(2);
  });

  it("does not retry 404", async ({ expect }) => {
    const result = await runCli([`${server.url}/not-found`, "-r", "3", ...FAST]);
    expect(result.records[0]).toMatchObject({ ok: false, status: 404, attempts: 1, error: { code: "EHTTP" } });
    expect(arrivals("/not-found")).toHaveLength(1);
  });

  it("waits as long as Retry-After: 1 says, not the short backoff", async ({ expect }) => {
    const result = await runCli([`${server.url}/throttled`, ...FAST]);
    expect(result.records[0]).toMatchObject({ ok: true, status: 200, attempts: 2 });
    const [first, second] = arrivals("/throttled");
    expect(second! - first!).toBeGreaterThanOrEqual(900);
    // Retry-After is a wait, not a floor on top of a long backoff.
    expect(second! - first!).toBeLessThan(3_000);
  });

  it("ends the retries when Retry-After is longer than 60 s", async ({ expect }) => {
    const result = await runCli([`${server.url}/throttled-long`, ...FAST]);
    expect(result.records[0]).toMatchObject({ ok: false, status: 429, attempts: 1, error: { code: "EHTTP" } });
    expect(arrivals("/throttled-long")).toHaveLength(1);
    // It did not sit out the 120 s (nor a clamped 60 s) before giving up.
    expect(result.records[0]!.ms).toBeLessThan(2_000);
  });

  it("honours Retry-After given as an HTTP date", async ({ expect }) => {
    // Two seconds ahead, at whole-second resolution: the wait is between ~1 s and 2 s.
    let seen = 0;
    const dated = await httpServer((_req, res) => {
      seen++;
      if (seen === 1) {
        const when = new Date(Date.now() + 2_000).toUTCString();
        sendHtml(res, page("busy"), 503, { "retry-after": when });
      } else sendHtml(res, page("Recovered"));
    });
    try {
      const result = await runCli([`${dated.url}/`, ...FAST]);
      expect(result.records[0]).toMatchObject({ ok: true, attempts: 2 });
      const [first, second] = dated.log.map((r) => r.at);
      expect(second! - first!).toBeGreaterThanOrEqual(900);
      expect(second! - first!).toBeLessThan(4_000);
    } finally {
      await dated.close();
    }
  });

  it("retries network errors (connection refused) -r times", async ({ expect }) => {
    const port = await closedPort();
    const result = await runCli([`http://127.0.0.1:${port}/`, "-r", "2", ...FAST]);
    expect(result.records[0]).toMatchObject({ ok: false, status: null, attempts: 3, error: { code: "ECONNREFUSED" } });
  });
});
