/** The library entry point (SPEC §7): trawl(urls, options) over sync and async iterables, signals, backpressure. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trawl } from "../../dist/index.js";
import { spawnCli } from "../helpers/cli.js";
import { toArray } from "../helpers/iterables.js";
import { recordFor } from "../helpers/records.js";
import { type HttpTestServer, httpServer, page, sendHtml, sleep } from "../helpers/servers.js";

let server: HttpTestServer;

beforeAll(async () => {
  server = await httpServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const delay = Number(url.searchParams.get("delay") ?? 0);
    if (url.pathname === "/hang") return; // never answers
    if (delay) await sleep(delay);
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(page(`Page ${url.pathname}`, `<h1>${url.pathname}</h1>`));
  });
});
afterAll(() => server.close());

describe("trawl() as a library", () => {
  it("takes a plain array and yields one record per URL with extracted data", async () => {
    const urls = [`${server.url}/a`, `${server.url}/b`, "not a url"];
    const records = await toArray(trawl(urls, { select: { h1: "h1" }, concurrency: 2 }));
    expect(records).toHaveLength(3);
    expect(recordFor(records, `${server.url}/a`)).toMatchObject({
      ok: true,
      status: 200,
      title: "Page /a",
      data: { h1: "/a" },
      error: null,
    });
    expect(recordFor(records, "not a url").error?.code).toBe("EINVALIDURL");
  });

  it("takes an async generator and reads it lazily", async () => {
    let pulled = 0;
    async function* urls() {
      for (let i = 0; i < 5; i++) {
        pulled++;
        yield `${server.url}/gen${i}`;
      }
    }
    const records = await toArray(trawl(urls(), { ordered: true }));
    expect(pulled).toBe(5);
    expect(records.map((r) => r.url)).toEqual([0, 1, 2, 3, 4].map((i) => `${server.url}/gen${i}`));
  });

  it("rejects bad options on entry, naming the option", async () => {
    await expect(toArray(trawl([`${server.url}/x`], { concurrency: 0 }))).rejects.toThrow(/concurrency must be an integer >= 1/);
    await expect(toArray(trawl([`${server.url}/x`], { select: { bad: "a[" } }))).rejects.toThrow(
      /^select\.bad: invalid selector "a\[" at character 3/,
    );
  });

  it("aborts in-flight requests when the signal fires: they end as EABORTED, promptly", async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 300);
    const records = await toArray(trawl([`${server.url}/hang`, `${server.url}/hang?2`], { signal: controller.signal }));
    expect(performance.now() - started).toBeLessThan(3000);
    expect(records.map((r) => r.error?.code)).toEqual(["EABORTED", "EABORTED"]);
  });

  it("stops pulling the input while the consumer does not read (backpressure)", async () => {
    let pulled = 0;
    function* urls() {
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        yield `${server.url}/bp${i}`;
      }
    }
    const iterator = trawl(urls(), { concurrency: 4 })[Symbol.asyncIterator]();
    await iterator.next();
    await sleep(500);
    // The window is concurrency × 2 + 64 items in hand; nothing near the 100,000 available.
    expect(pulled).toBeLessThan(200);
    await iterator.return?.(undefined);
  });

  it("leaving the loop early does not wait for a source that is slow to yield", async () => {
    async function* slowSource() {
      yield `${server.url}/quick-a`;
      yield `${server.url}/hang?slow-source`;
      await sleep(60_000);
      yield `${server.url}/never`;
    }
    const started = performance.now();
    for await (const _record of trawl(slowSource())) break;
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it("leaving the loop early aborts what is in flight and releases the process", async () => {
    const started = performance.now();
    let seen = 0;
    for await (const _record of trawl([`${server.url}/quick`, `${server.url}/hang`, `${server.url}/hang?b`], { ordered: true })) {
      seen++;
      break;
    }
    expect(seen).toBe(1);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe("the CLI under a slow reader", () => {
  // Up to 20 s of waiting for the run to stall, then 3,000 URLs to finish: more than the default.
  it("does not read ahead of a stdout nobody reads, then finishes every URL", { timeout: 30_000 }, async () => {
    const total = 3000;
    server.resetStats();
    const child = spawnCli(["-c", "8", "-q"], {
      input: Array.from({ length: total }, (_, i) => `${server.url}/slow-reader-${i}`).join("\n"),
    });
    const stdout = child.stdout!;
    stdout.pause();
    // Wait until the run stalls: no new request for 600 ms (a loaded machine gets there slower).
    let last = -1;
    let stableMs = 0;
    for (let waited = 0; waited < 20_000 && stableMs < 600; waited += 100) {
      await sleep(100);
      if (server.requests === last && last > 0) stableMs += 100;
      else {
        stableMs = 0;
        last = server.requests;
      }
    }
    expect(stableMs, "the run stalls while nobody reads its stdout").toBeGreaterThanOrEqual(600);
    // A 64 KiB pipe holds ~250 records; with the pool's window, far fewer than all URLs were fetched.
    expect(server.requests).toBeGreaterThan(0);
    expect(server.requests).toBeLessThan(1000);
    let lines = 0;
    let rest = "";
    stdout.on("data", (chunk: Buffer) => {
      const text = rest + chunk.toString("utf8");
      const parts = text.split("\n");
      rest = parts.pop() ?? "";
      lines += parts.length;
    });
    stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(lines).toBe(total);
  });
});

describe("onHeld and onQueued, while crawling and checking links", () => {
  it("tells of each failure as it is held, long before the record comes out at the crawl's end", async () => {
    let released = () => {};
    const slowAnswered = new Promise<void>((resolve) => (released = resolve));
    const site = await httpServer(async (req, res) => {
      if (req.url === "/") return sendHtml(res, page("home", '<a href="/gone/1">1</a><a href="/gone/2">2</a><a href="/slow">slow</a>'));
      if (req.url === "/slow") {
        // Answers only once both failures were told of: without onHeld the test waits out its timeout.
        await Promise.race([slowAnswered, sleep(5_000)]);
        return sendHtml(res, page("slow"));
      }
      sendHtml(res, page("gone"), 404);
    });
    try {
      const events: string[] = [];
      let held = 0;
      const queued: string[] = [];
      const run = trawl([`${site.url}/`], {
        crawl: true,
        checkLinks: "external",
        onQueued: (url) => queued.push(new URL(url).pathname),
        onHeld: (record) => {
          events.push(`held ${new URL(record.url).pathname} ${record.error?.code}`);
          if (++held === 2) released();
        },
      });
      for await (const record of run) events.push(`record ${new URL(record.url).pathname} ${record.ok}`);
      expect(events.slice(0, 3).toSorted()).toEqual(["held /gone/1 EHTTP", "held /gone/2 EHTTP", "record / true"]);
      expect(events.slice(3, 4)).toEqual(["record /slow true"]);
      expect(events.slice(4).toSorted()).toEqual(["record /gone/1 false", "record /gone/2 false"]);
      // Every URL the crawl took, once, as it was queued.
      expect(queued).toEqual(["/", "/gone/1", "/gone/2", "/slow"]);
    } finally {
      await site.close();
    }
  });
});

describe("the CLI when its reader goes away", () => {
  // 2,000 URLs are started before the closed pipe ends the run: more than the default on a busy machine.
  it("stops quietly when stdout is closed early (`trawl … | head -1`)", { timeout: 30_000 }, async () => {
    const child = spawnCli(["-c", "8"], { input: Array.from({ length: 2000 }, (_, i) => `${server.url}/gone-${i}`).join("\n") });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // Read one line, then close our end, as `head -1` does.
    await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
    child.stdout!.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toMatch(/internal error/);
    expect(code).toBe(1);
  });
});
