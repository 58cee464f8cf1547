/**
 * trawl() with `frontier`: several runs in one process share one crawl through a private
 * redis-server, against a real site on 127.0.0.1. The CLI and the faults are in test/e2e/fleet-*.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CrawlItem, CrawlSettings } from "../../src/crawl/frontier.js";
import { type Claim, type QueueEntry, RedisUnavailableError, type SharedFrontier } from "../../src/crawl/shared/index.js";
import { entryOf, itemOf, SharedCrawl } from "../../src/crawl/shared/shared-crawl.js";
import type { FetchOutcome } from "../../src/http/fetch-with-retry.js";
import { jobConfig } from "../../src/crawl/shared/fleet.js";
import { UsageError } from "../../src/errors.js";
import { exportJob, jobStatus, type TrawlOptions, type TrawlRecord, trawl } from "../../src/index.js";
import { resolveOptions } from "../../src/options.js";
import { duplicates, useTreeSites } from "../e2e/fleet-site.js";
import { type RedisTestServer, startRedisServer } from "../helpers/redis-server.js";
import { requestsTo } from "../helpers/servers.js";
import { toArray } from "../helpers/iterables.js";

let redis: RedisTestServer;
let dir: string;
let jobCount = 0;

beforeAll(async () => {
  redis = await startRedisServer();
  dir = mkdtempSync(path.join(tmpdir(), "trawl-shared-crawl-"));
});

afterAll(async () => {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

const site = useTreeSites();

/** Options of one worker of `job`: a deep crawl, and a short lease so a test never waits a minute. */
function worker(job: string, options: TrawlOptions = {}): TrawlOptions {
  return { concurrency: 2, crawl: { depth: 30 }, frontier: { url: redis.url, job, leaseMs: 5000 }, ...options };
}

function newJob(): string {
  return `crawl-${++jobCount}`;
}

const urlsOf = (records: readonly TrawlRecord[]) => records.map((record) => record.url);

describe("trawl() over a shared frontier", () => {
  it("two runs of one job crawl the site once between them: each page in exactly one run's records", async () => {
    const tree = await site(90, 3);
    const job = newJob();
    const [a, b] = await Promise.all([toArray(trawl([tree.root], worker(job))), toArray(trawl([tree.root], worker(job)))]);
    const all = [...urlsOf(a), ...urlsOf(b)];
    expect(duplicates(all)).toEqual([]);
    expect(new Set(all)).toEqual(new Set(tree.urls));
    // Both did some of the work: the crawl was shared, not run twice or by one alone.
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect(a.every((record) => record.ok && record.depth !== undefined && "parent" in record)).toBe(true);
    // Each page was requested once by the fleet.
    expect(tree.server.requests).toBe(90);
  });

  it("commits exactly the records it yields: the export holds each run's records, as yielded", async () => {
    const tree = await site(40);
    const job = newJob();
    const records = [...(await toArray(trawl([tree.root], worker(job)))), ...(await toArray(trawl([tree.root], worker(job))))];
    expect(records).toHaveLength(40);
    const status = await jobStatus({ url: redis.url, job });
    expect(status).toMatchObject({
      exists: true,
      queued: 0,
      claimed: 0,
      offered: 40,
      committed: 40,
      failed: 0,
      workersSeen: 2,
      done: true,
    });
    const file = path.join(dir, `${job}.ndjson`);
    const result = await exportJob({ url: redis.url, job, file });
    expect(result).toEqual({ written: 40, complete: true, removed: true });
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(new Set(lines)).toEqual(new Set(records.map((record) => JSON.stringify(record))));
    expect((await jobStatus({ url: redis.url, job })).exists).toBe(false);
  });

  it("holds perHostConcurrency over the fleet: two runs of 2 never have more than 2 requests in flight to the host", async () => {
    const tree = await site(40, 40);
    const job = newJob();
    const options = worker(job, { concurrency: 4, perHostConcurrency: 2 });
    await Promise.all([toArray(trawl([tree.root], options)), toArray(trawl([tree.root], options))]);
    expect(tree.server.requests).toBe(40);
    expect(tree.server.maxConcurrent).toBe(2);
  });

  it("spaces request starts to a host by ratePerSecond over the fleet, not per run", async () => {
    const tree = await site(12);
    const job = newJob();
    const options = worker(job, { ratePerSecond: 20 });
    await Promise.all([toArray(trawl([tree.root], options)), toArray(trawl([tree.root], options))]);
    const starts = tree.server.log.map((request) => request.at);
    expect(starts).toHaveLength(12);
    // Eleven intervals of 50 ms for the fleet: at least 550 ms from the first start to the last, less
    // what a busy machine blurs. Paced per run, the two runs would take about half that.
    expect((starts.at(-1) as number) - (starts[0] as number)).toBeGreaterThan(480);
  });

  it("fetches robots.txt once for the fleet, and every run obeys it", async () => {
    const tree = await site(30, 20);
    tree.routes.set("/robots.txt", (_request, response) => response.end("User-agent: *\nDisallow: /p/2$\n"));
    const job = newJob();
    const options = worker(job, { robots: true });
    const [a, b] = await Promise.all([toArray(trawl([tree.root], options)), toArray(trawl([tree.root], options))]);
    const records = [...a, ...b];
    expect(a.length > 0 && b.length > 0).toBe(true);
    expect(requestsTo(tree.server, "/robots.txt")).toHaveLength(1);
    // /p/2 is disallowed (an EROBOTS record, once); its subtree (5, 6, 11…) is never reached.
    const refused = records.filter((record) => record.error?.code === "EROBOTS");
    expect(urlsOf(refused)).toEqual([`${tree.server.url}/p/2`]);
    expect(requestsTo(tree.server, "/p/2")).toHaveLength(0);
    expect(duplicates(urlsOf(records))).toEqual([]);
  });

  it("marks where a redirect landed as seen: a link to it later does not fetch it again", async () => {
    const tree = await site(1);
    tree.routes.set("/p/0", (_request, response) => {
      response.setHeader("content-type", "text/html");
      response.end('<a href="/moved">moved</a>');
    });
    tree.routes.set("/moved", (_request, response) => {
      response.writeHead(301, { location: "/target" });
      response.end();
    });
    tree.routes.set("/target", (_request, response) => {
      response.setHeader("content-type", "text/html");
      response.end('<a href="/other">other</a>');
    });
    tree.routes.set("/other", (_request, response) => {
      response.setHeader("content-type", "text/html");
      response.end('<a href="/target">target</a>');
    });
    const records = await toArray(trawl([tree.root], worker(newJob())));
    expect(urlsOf(records).sort()).toEqual([`${tree.server.url}/moved`, `${tree.server.url}/other`, tree.root]);
    expect(requestsTo(tree.server, "/target")).toHaveLength(1);
  });

  it("gives a bad input line one EINVALIDURL record over the fleet", async () => {
    const tree = await site(6);
    const job = newJob();
    const input = ["not a url", tree.root];
    const [a, b] = await Promise.all([toArray(trawl(input, worker(job))), toArray(trawl(input, worker(job)))]);
    const bad = [...a, ...b].filter((record) => record.error?.code === "EINVALIDURL");
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ url: "not a url", depth: 0, parent: null, ok: false });
  });

  it("an aborted run yields no EABORTED record and gives its claims back: the next run finishes at once", async () => {
    const tree = await site(30, 100);
    const job = newJob();
    const controller = new AbortController();
    const first: TrawlRecord[] = [];
    // A lease of a minute: had the claims not been given back, the second run would wait for it.
    const options = worker(job, { concurrency: 4, frontier: { url: redis.url, job, leaseMs: 60_000 } });
    for await (const record of trawl([tree.root], { ...options, signal: controller.signal })) {
      first.push(record);
      if (first.length === 3) controller.abort();
    }
    expect(first.every((record) => record.error === null)).toBe(true);
    const started = performance.now();
    const second = await toArray(trawl([tree.root], options));
    expect(performance.now() - started).toBeLessThan(20_000);
    const all = urlsOf([...first, ...second]);
    expect(duplicates(all)).toEqual([]);
    expect(new Set(all)).toEqual(new Set(tree.urls));
  });

  it("refuses to join a job of another configuration, naming what differs", async () => {
    const tree = await site(3);
    const job = newJob();
    await toArray(trawl([tree.root], worker(job, { select: { h1: "h1" } })));
    const other = trawl([tree.root], worker(job, { select: { h1: "h2" }, crawl: { depth: 30, scope: "host" } }));
    const error = await toArray(other).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(
      /job "crawl-\d+" already exists with another configuration \(differs in crawl\.scope, select\.fields\)/,
    );
    expect((error as UsageError).option).toBe("job");
  });
});

describe("frontier options", () => {
  const crawl = { crawl: true };
  it.each([
    [{ url: "http://127.0.0.1/", job: "a" }, "frontier", /frontier must be a redis:\/\/ or rediss:\/\/ URL, got `http:\/\/127.0.0.1\/`/],
    [{ url: "redis://:secret@127.0.0.1/0", job: "a b" }, "frontier.job", /frontier\.job must be 1 to 128 letters/],
    [{ url: "redis://127.0.0.1/0", job: "a", leaseMs: 10 }, "frontier.leaseMs", /frontier\.leaseMs must be an integer >= 1000, got `10`/],
  ])("names the option at fault: %j", (frontier, option, message) => {
    const error = (() => {
      try {
        resolveOptions({ ...crawl, frontier });
      } catch (caught) {
        return caught as UsageError;
      }
    })();
    expect(error?.option).toBe(option);
    expect(error?.message).toMatch(message);
  });

  it("a Redis lost for longer than the outage limit is a one-line UsageError about frontier (the CLI's exit 2)", () => {
    const error = new RedisUnavailableError("Redis at redis://127.0.0.1:1/0 unavailable for 120 s: read\nECONNRESET");
    expect(error).toBeInstanceOf(UsageError);
    expect(error.option).toBe("frontier");
    expect(error.message).toBe("Redis at redis://127.0.0.1:1/0 unavailable for 120 s: read ECONNRESET");
  });

  it("hides a password in the message", () => {
    expect(() => resolveOptions({ ...crawl, frontier: { url: "http://user:secret@host/", job: "a" } })).toThrow(/user:\*\*\*@host/);
  });

  it("needs a crawl, and takes the lease's default", () => {
    expect(() => resolveOptions({ frontier: { url: "redis://127.0.0.1/0", job: "a" } })).toThrow(/frontier shares a crawl/);
    expect(resolveOptions({ ...crawl, frontier: { url: "redis://127.0.0.1/0", job: "a" } }).frontier).toEqual({
      url: "redis://127.0.0.1/0",
      job: "a",
      leaseMs: 60_000,
    });
  });

  it("stores what shapes records as the job's configuration: patterns as text, without the page limit", () => {
    const resolved = resolveOptions({ crawl: { include: ["/p/"], maxPages: 10 }, select: { t: "h1" }, robots: true });
    const config = jobConfig({ ...resolved, crawl: resolved.crawl! });
    expect(config).toEqual({
      crawl: { maxDepth: 2, scope: "origin", include: ["/\\/p\\//"], exclude: [], followNofollow: false, links: "anchors" },
      select: JSON.parse(JSON.stringify(resolved.select)),
      robots: true,
    });
    expect(JSON.stringify(config.select)).toContain('"selector":"h1"');
  });
});

describe("queue entries of crawl items", () => {
  it("carry the seed, a bad line's reason and any other field of the item, and come back as they went", () => {
    const link = {
      input: { ok: true as const, url: "https://a.test/b" },
      depth: 2,
      parent: "https://a.test/",
      seed: "https://a.test/",
      kind: 2,
      from: { rank: 3 },
    };
    expect(entryOf(link)).toEqual({
      url: "https://a.test/b",
      depth: 2,
      parent: "https://a.test/",
      payload: { kind: 2, from: { rank: 3 }, seed: "https://a.test/" },
    });
    expect(itemOf(entryOf(link))).toEqual(link);
    const seed = { input: { ok: true as const, url: "https://a.test/" }, depth: 0, parent: null, seed: "https://a.test/" };
    expect(entryOf(seed)).toEqual({ url: "https://a.test/", depth: 0, parent: null });
    expect(itemOf(entryOf(seed))).toEqual(seed);
    const bad = { input: { ok: false as const, line: "nope", reason: "not an absolute URL" }, depth: 0, parent: null, seed: "nope" };
    expect(itemOf(entryOf(bad))).toEqual(bad);
  });
});

describe("SharedCrawl, over a stand-in frontier", () => {
  const settings: CrawlSettings = {
    maxDepth: 5,
    scope: "origin",
    include: [],
    exclude: [],
    maxPages: Number.POSITIVE_INFINITY,
    followNofollow: false,
    links: "anchors",
  };
  const page = (path: string) => `https://a.test${path}`;
  const outcome = (url: string): FetchOutcome => ({
    finalUrl: url,
    status: 200,
    contentType: "text/html",
    body: Buffer.from("<p>"),
    error: null,
    retryAfterMs: null,
    responseHeaders: null,
    requestHeaders: null,
    attempts: 1,
  });
  const record = (url: string, code: "EABORTED" | null = null): TrawlRecord => ({
    url,
    finalUrl: url,
    status: code ? null : 200,
    ok: !code,
    attempts: 1,
    ms: 1,
    bytes: 3,
    contentType: "text/html",
    title: null,
    data: {},
    error: code ? { code, message: "the run was aborted" } : null,
  });

  async function* noInput(): AsyncGenerator<never> {}

  /** A frontier that hands out `entries` and records what each commit sends; `accept` says whether a commit goes through. */
  function standIn(entries: QueueEntry[], accept: (url: string) => boolean) {
    const commits: { url: string; links: string[] }[] = [];
    let token = 0;
    const frontier = {
      claim: async (count: number): Promise<Claim[]> => entries.splice(0, count).map((entry) => ({ token: ++token, entry })),
      offer: async () => 0,
      markSeen: async () => 1,
      waitForWork: async () => "done",
      commit: async (claim: Claim, _record: unknown, links: readonly QueueEntry[]) => {
        commits.push({ url: claim.entry.url, links: links.map((link) => link.url) });
        return accept(claim.entry.url);
      },
    } as unknown as SharedFrontier;
    return { frontier, commits };
  }

  it("sends a page's links unless it knows them to be in the job: pages it claimed, links of its commits that went through", async () => {
    const entries = ["/a", "/b", "/c"].map((path) => ({ url: page(path), depth: 1, parent: page("/") }));
    const claimed = entries.map((entry) => entry.url);
    const { frontier, commits } = standIn(entries, (url) => url !== page("/b"));
    const links: Record<string, string[]> = {
      [page("/a")]: [page("/a"), page("/b"), page("/x"), page("/y")],
      [page("/b")]: [page("/x"), page("/z")],
      [page("/c")]: [page("/z"), page("/y"), page("/x")],
    };
    const readLinks = (item: CrawlItem) => ({ links: links[item.input.ok ? item.input.url : ""] ?? [], from: item });
    const crawl = new SharedCrawl(frontier, noInput(), {
      crawl: settings,
      maxHeld: 4,
      readLinks,
      kinds: null,
      signal: new AbortController().signal,
    });
    const items = await toArray(crawl.items());
    expect(items.map((item) => (item.input.ok ? item.input.url : ""))).toEqual(claimed);
    for (const item of items) {
      const url = item.input.ok ? item.input.url : "";
      crawl.pageDone(item, outcome(url));
      await crawl.recordDone(item, record(url));
    }
    expect(commits).toEqual([
      // /a and /b were claimed here: in the job already.
      { url: page("/a"), links: [page("/x"), page("/y")] },
      // /x came with /a's commit; /b's commit is refused, so /z is not known to be in the job…
      { url: page("/b"), links: [page("/z")] },
      // …and goes again with /c's.
      { url: page("/c"), links: [page("/z")] },
    ]);
  });

  it("claims in batches once full: a page done is not a claim round trip of its own", async () => {
    const entries = Array.from({ length: 200 }, (_, i) => ({ url: page(`/p${i}`), depth: 1, parent: page("/") }));
    const { frontier } = standIn(entries, () => true);
    const asked: number[] = [];
    const claim = frontier.claim.bind(frontier);
    frontier.claim = (count: number) => {
      asked.push(count);
      return claim(count);
    };
    const crawl = new SharedCrawl(frontier, noInput(), {
      crawl: settings,
      maxHeld: 20,
      readLinks: () => null,
      kinds: null,
      signal: new AbortController().signal,
    });
    // The pool takes every item it is given at once, and finishes one page a turn.
    const taken: CrawlItem[] = [];
    let ended = false;
    const pulling = (async () => {
      for await (const item of crawl.items()) taken.push(item);
      ended = true;
    })();
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    let finished = 0;
    while (!ended || finished < taken.length) {
      const item = taken[finished];
      if (item === undefined) {
        await turn();
        continue;
      }
      finished++;
      const url = item.input.ok ? item.input.url : "";
      crawl.pageDone(item, outcome(url));
      await crawl.recordDone(item, record(url));
      await turn();
    }
    await pulling;
    expect(finished).toBe(200);
    // One claim a page done was 180 round trips of one entry; a fifth of the held claims at a time is 4.
    expect(Math.min(...asked)).toBeGreaterThanOrEqual(4);
    expect(asked.length).toBeLessThan(60);
  });

  it("commits no record of a page the run stopped: EABORTED, or none at all", async () => {
    const entries = ["/a", "/b"].map((path) => ({ url: page(path), depth: 1, parent: page("/") }));
    const { frontier, commits } = standIn(entries, () => true);
    const readLinks = () => null;
    const crawl = new SharedCrawl(frontier, noInput(), {
      crawl: settings,
      maxHeld: 4,
      readLinks,
      kinds: null,
      signal: new AbortController().signal,
    });
    const [a, b] = await toArray(crawl.items());
    crawl.pageDone(a!, outcome(page("/a")));
    expect(await crawl.recordDone(a!, record(page("/a"), "EABORTED"))).toBe(false);
    crawl.pageDone(b!, null);
    expect(await crawl.recordDone(b!, null)).toBe(false);
    expect(commits).toEqual([]);
  });
});
