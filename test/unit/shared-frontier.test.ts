import { createClient } from "@redis/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { JobKeys } from "../../src/crawl/shared/job-keys.js";
import { type QueueEntry, SharedFrontier, type SharedFrontierOptions } from "../../src/crawl/shared/index.js";
import { type RedisTestServer, startRedisServer } from "../helpers/redis-server.js";

let redis: RedisTestServer;
let raw: ReturnType<typeof createClient>;
const open: SharedFrontier[] = [];
let jobCount = 0;

beforeAll(async () => {
  redis = await startRedisServer();
  raw = createClient({ url: redis.url, RESP: 2 });
  await raw.connect();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((frontier) => frontier.close().catch(() => {})));
});

afterAll(async () => {
  await raw.close();
  await redis.stop();
});

/** A fresh job name per test, so tests share the server but not keys. */
function newJob(): string {
  return `job-${++jobCount}`;
}

async function worker(job: string, options: Partial<SharedFrontierOptions> = {}): Promise<SharedFrontier> {
  const frontier = await SharedFrontier.open({ url: redis.url, job, config: { scope: "origin" }, ...options });
  open.push(frontier);
  return frontier;
}

function seeds(...urls: string[]): QueueEntry[] {
  return urls.map((url) => ({ url, depth: 0, parent: null }));
}

function record(url: string, ok = true): { json: string; ok: boolean } {
  return { json: JSON.stringify({ url, ok }), ok };
}

async function streamRecords(job: string): Promise<string[]> {
  const entries = (await raw.sendCommand(["XRANGE", new JobKeys(job).records, "-", "+"])) as [string, string[]][];
  return entries.map(([, fields]) => fields[1] as string);
}

describe("shared frontier: claims and leases", () => {
  it("hands each entry to one claim, with increasing fencing tokens, and a payload kept as given", async () => {
    const job = newJob();
    const a = await worker(job);
    const b = await worker(job);
    await a.offer([
      ...seeds("https://a.test/1", "https://a.test/2"),
      { url: "https://a.test/3", depth: 1, parent: "https://a.test/1", payload: { kind: "book", carry: [1, "x"] } },
    ]);
    const first = await a.claim(2);
    const second = await b.claim(5);
    expect(first.map((claim) => claim.entry.url)).toEqual(["https://a.test/1", "https://a.test/2"]);
    expect(second).toHaveLength(1);
    expect(second[0]!.entry).toEqual({
      url: "https://a.test/3",
      depth: 1,
      parent: "https://a.test/1",
      payload: { kind: "book", carry: [1, "x"] },
    });
    const tokens = [...first, ...second].map((claim) => claim.token);
    expect(tokens).toEqual([...tokens].sort((x, y) => x - y));
    expect(new Set(tokens).size).toBe(3);
    expect(await b.claim(1)).toEqual([]);
    expect(await a.status()).toMatchObject({ queued: 0, claimed: 3, offered: 3 });
  });

  it("returns an expired claim to the queue: a worker that stops renewing loses it to the next claim", async () => {
    const job = newJob();
    const dead = await worker(job, { leaseMs: 200 });
    await dead.offer(seeds("https://a.test/lost"));
    const [claim] = await dead.claim(1);
    // Closing without releasing stops the renewals, as a kill -9 would.
    await dead.close({ release: false });
    const other = await worker(job, { leaseMs: 5000 });
    expect(await other.claim(1)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [again] = await other.claim(1);
    expect(again?.entry.url).toBe("https://a.test/lost");
    expect(again!.token).toBeGreaterThan(claim!.token);
    expect(await other.status()).toMatchObject({ reclaimed: 1, claimed: 1 });
  });

  it("keeps a live worker's claims past the lease by renewing them", async () => {
    const job = newJob();
    const live = await worker(job, { leaseMs: 400 });
    await live.offer(seeds("https://a.test/kept"));
    const [claim] = await live.claim(1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const other = await worker(job, { leaseMs: 400 });
    expect(await other.claim(1)).toEqual([]);
    expect(await live.commit(claim!, record("https://a.test/kept"))).toBe(true);
  });

  it("release gives a claim back to the head of the queue at once", async () => {
    const job = newJob();
    const a = await worker(job);
    await a.offer(seeds("https://a.test/1", "https://a.test/2"));
    const [first] = await a.claim(1);
    expect(await a.release(first!)).toBe(true);
    expect(await a.release(first!)).toBe(false);
    const [again] = await a.claim(1);
    expect(again?.entry.url).toBe("https://a.test/1");
  });

  it("close() releases what the worker still holds", async () => {
    const job = newJob();
    const a = await worker(job);
    await a.offer(seeds("https://a.test/1", "https://a.test/2"));
    await a.claim(2);
    await a.close();
    const b = await worker(job);
    expect(await b.status()).toMatchObject({ queued: 2, claimed: 0 });
  });
});

describe("shared frontier: commit", () => {
  it("appends the record, queues only unseen links, releases the claim and counts, in one step", async () => {
    const job = newJob();
    const a = await worker(job);
    await a.offer(seeds("https://a.test/", "https://a.test/seen"));
    const [claim] = await a.claim(1);
    const links = ["https://a.test/seen", "https://a.test/new", "https://a.test/new"].map((url) => ({
      url,
      depth: 1,
      parent: "https://a.test/",
    }));
    expect(await a.commit(claim!, record("https://a.test/"), links)).toBe(true);
    expect(await streamRecords(job)).toEqual([JSON.stringify({ url: "https://a.test/", ok: true })]);
    expect(await a.status()).toMatchObject({ queued: 2, claimed: 0, committed: 1, failed: 0, offered: 3, unexported: 1 });
    const rest = await a.claim(5);
    expect(rest.map((c) => c.entry.url)).toEqual(["https://a.test/seen", "https://a.test/new"]);
    expect(rest[1]!.entry).toEqual({ url: "https://a.test/new", depth: 1, parent: "https://a.test/" });
    expect(await a.commit(rest[0]!, record("https://a.test/seen", false))).toBe(true);
    expect(await a.status()).toMatchObject({ committed: 2, failed: 1, claimed: 1 });
  });

  it("refuses a stale token's commit once its entry was claimed again: one record, no extra links", async () => {
    const job = newJob();
    const stalled = await worker(job, { leaseMs: 150 });
    await stalled.offer(seeds("https://a.test/page"));
    const [old] = await stalled.claim(1);
    await stalled.close({ release: false });
    await new Promise((resolve) => setTimeout(resolve, 250));
    const fresh = await worker(job);
    const [current] = await fresh.claim(1);
    expect(current?.entry.url).toBe("https://a.test/page");
    // The stalled worker wakes up and commits with its old token (through any live connection).
    const links = seeds("https://a.test/from-stale");
    expect(await fresh.commit(old!, record("https://a.test/page"), links)).toBe(false);
    expect(await fresh.commit(current!, record("https://a.test/page"))).toBe(true);
    // The same call sent again (a reply lost to a dropped connection) is known as done, not doubled.
    expect(await fresh.commit(current!, record("https://a.test/page"))).toBe(true);
    expect(await streamRecords(job)).toHaveLength(1);
    expect(await fresh.status()).toMatchObject({ committed: 1, queued: 0, claimed: 0, offered: 1 });
  });

  it("still accepts the commit of an expired claim that nobody took back (no one else can hold it)", async () => {
    const job = newJob();
    const slow = await worker(job, { leaseMs: 100 });
    await slow.offer(seeds("https://a.test/slow"));
    const [claim] = await slow.claim(1);
    await slow.close({ release: false });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const other = await worker(job);
    expect(await other.commit(claim!, record("https://a.test/slow"))).toBe(true);
    expect(await other.claim(1)).toEqual([]);
    expect(await other.status()).toMatchObject({ committed: 1, done: true });
  });

  it("refuses a record that is not one line", async () => {
    const job = newJob();
    const a = await worker(job);
    await a.offer(seeds("https://a.test/"));
    const [claim] = await a.claim(1);
    await expect(a.commit(claim!, { json: '{"a":\n1}', ok: true })).rejects.toThrow(/one line/);
  });
});

describe("shared frontier: seen-set", () => {
  it("queues a URL once, whoever offers it and however often", async () => {
    const job = newJob();
    const a = await worker(job);
    const b = await worker(job);
    const urls = Array.from({ length: 1200 }, (_, i) => `https://a.test/p${i}`);
    expect(await a.offer(seeds(...urls))).toBe(1200);
    expect(await b.offer(seeds(...urls, "https://a.test/extra"))).toBe(1);
    expect(await a.status()).toMatchObject({ queued: 1201, offered: 1201 });
  });

  it("caps the entries ever queued at maxPages, links included", async () => {
    const job = newJob();
    const a = await worker(job, { maxPages: 3 });
    expect(await a.offer(seeds("https://a.test/1", "https://a.test/2"))).toBe(2);
    const [claim] = await a.claim(1);
    await a.commit(claim!, record("https://a.test/1"), seeds("https://a.test/3", "https://a.test/4", "https://a.test/5"));
    expect(await a.status()).toMatchObject({ offered: 3, queued: 2 });
  });

  // The goal is 64 MB per million URLs (test/bench/redis-seen-memory.mjs measures a million). The
  // 2^16 buckets' fixed cost weighs more on fewer URLs, so holding it at 150,000 is the harder test.
  it("stores hashes in intset buckets: under 64 bytes of Redis memory per URL", async () => {
    const keys = new JobKeys(newJob());
    const count = 150_000;
    const script = "for i = 1, #KEYS do redis.call('SADD', KEYS[i], ARGV[i]) end return #KEYS";
    const before = await usedMemory();
    for (let start = 0; start < count; start += 10_000) {
      const buckets: string[] = [];
      const members: string[] = [];
      for (let i = start; i < start + 10_000; i++) {
        const { key, member } = keys.seen(`https://host${i % 113}.test/page/${i}`);
        buckets.push(key);
        members.push(member);
      }
      await raw.sendCommand(["EVAL", script, String(buckets.length), ...buckets, ...members]);
    }
    const perUrl = ((await usedMemory()) - before) / count;
    expect(perUrl).toBeLessThan(64);
    const { key } = keys.seen("https://host0.test/page/0");
    expect(await raw.sendCommand(["OBJECT", "ENCODING", key])).toBe("intset");
  }, 20_000);
});

async function usedMemory(): Promise<number> {
  const info = String(await raw.sendCommand(["INFO", "memory"]));
  return Number(/used_memory:(\d+)/.exec(info)?.[1]);
}

describe("shared frontier: job config and keys", () => {
  it("refuses a worker whose config differs, naming the differing keys", async () => {
    const job = newJob();
    await worker(job, { config: { scope: "origin", depth: 2, select: { title: "h1", price: ".price" } } });
    // The same config in another key order is the same config.
    await worker(job, { config: { select: { price: ".price", title: "h1" }, depth: 2, scope: "origin" } });
    const error = await worker(job, {
      config: { scope: "domain", depth: 2, select: { title: "h2", price: ".price" }, recipe: null },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain(`job "${job}"`);
    expect(error.message).toContain("recipe, scope, select.title");
    expect(error.message).not.toContain("depth");
    const limited = await worker(job, {
      config: { scope: "origin", depth: 2, select: { title: "h1", price: ".price" } },
      maxPages: 10,
    }).catch((e) => e);
    expect(limited.message).toContain("maxPages");
  });

  it("keeps two jobs apart: same URLs, separate queues, seen-sets and counts, all under the job's prefix", async () => {
    const first = newJob();
    const second = newJob();
    const a = await worker(first);
    const b = await worker(second);
    await a.offer(seeds("https://a.test/1", "https://a.test/2"));
    expect(await b.offer(seeds("https://a.test/1"))).toBe(1);
    const [claim] = await a.claim(1);
    await a.commit(claim!, record("https://a.test/1"));
    expect(await b.status()).toMatchObject({ queued: 1, committed: 0, offered: 1 });
    expect(await a.status()).toMatchObject({ queued: 1, committed: 1, offered: 2 });
    const secondKeys = (await raw.sendCommand(["KEYS", "*"])) as string[];
    const mine = secondKeys.filter((key) => key.includes(`{${second}}`));
    expect(mine.length).toBeGreaterThan(0);
    for (const key of mine) expect(key.startsWith(`trawl:{${second}}:`)).toBe(true);
  });

  it("names the option at fault", async () => {
    const error = await worker(newJob(), { leaseMs: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.option).toBe("lease");
    expect(error.message).toBe("lease must be an integer >= 1, got `0`");
  });

  it("refuses a job name that could escape its prefix", async () => {
    await expect(worker("a}b")).rejects.toThrow(UsageError);
    await expect(worker("a*")).rejects.toThrow(/job must be/);
  });
});

describe("shared frontier: done and waiting", () => {
  it("is not done before anything is queued, nor while a claim is out; done after the last commit", async () => {
    const job = newJob();
    const a = await worker(job);
    expect(await a.isDone()).toBe(false);
    await a.offer(seeds("https://a.test/"));
    const [claim] = await a.claim(1);
    expect(await a.isDone()).toBe(false);
    await a.commit(claim!, record("https://a.test/"));
    expect(await a.isDone()).toBe(true);
  });

  it("wakes an idle worker when another commits new links, and tells it when the crawl is over", async () => {
    const job = newJob();
    const a = await worker(job, { maxPollMs: 50 });
    const b = await worker(job, { maxPollMs: 50 });
    await a.offer(seeds("https://a.test/"));
    const [claim] = await a.claim(1);
    const waiting = b.waitForWork();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await a.commit(claim!, record("https://a.test/"), [{ url: "https://a.test/next", depth: 1, parent: "https://a.test/" }]);
    expect(await waiting).toBe("work");
    const [next] = await b.claim(1);
    const idle = a.waitForWork();
    await b.commit(next!, record("https://a.test/next"));
    expect(await idle).toBe("done");
    const controller = new AbortController();
    const job2 = await worker(newJob());
    const stopped = job2.waitForWork({ signal: controller.signal });
    controller.abort();
    expect(await stopped).toBe("aborted");
  });

  it("claims() yields work as it comes, across workers, and ends when the crawl is over", async () => {
    const job = newJob();
    const a = await worker(job, { maxPollMs: 30 });
    const b = await worker(job, { maxPollMs: 30 });
    await a.offer(seeds("https://a.test/0"));
    const seen: string[] = [];
    // Page i links to i+1 up to 9: one page in flight at a time, so the other worker mostly waits.
    const run = async (frontier: SharedFrontier) => {
      for await (const claim of frontier.claims()) {
        seen.push(claim.entry.url);
        const i = Number(claim.entry.url.split("/").pop());
        const links = i < 9 ? [{ url: `https://a.test/${i + 1}`, depth: i + 1, parent: claim.entry.url }] : [];
        await new Promise((resolve) => setTimeout(resolve, 5));
        await frontier.commit(claim, record(claim.entry.url), links);
      }
    };
    await Promise.all([run(a), run(b)]);
    expect(seen.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `https://a.test/${i}`).sort());
  });

  it("counts the workers seen and the live ones", async () => {
    const job = newJob();
    const a = await worker(job, { leaseMs: 150, workerId: "w1" });
    const b = await worker(job, { leaseMs: 150, workerId: "w2" });
    expect(await a.status()).toMatchObject({ workersSeen: 2, workersLive: 2 });
    await b.close();
    expect(await a.status()).toMatchObject({ workersSeen: 2, workersLive: 1 });
    // A worker that stops renewing (killed) stops being live once its lease has passed.
    await a.close({ release: false });
    await new Promise((resolve) => setTimeout(resolve, 250));
    const watcher = await worker(job);
    expect(await watcher.status()).toMatchObject({ workersSeen: 3, workersLive: 1 });
  });
});

describe("shared frontier: fleet politeness", () => {
  it("holds per-host concurrency across two workers, and frees a dead worker's slot after its lease", async () => {
    const job = newJob();
    const a = await worker(job, { leaseMs: 300 });
    const b = await worker(job, { leaseMs: 300 });
    const first = await a.acquireHost("h.test", { maxConcurrent: 2 });
    const second = await b.acquireHost("h.test", { maxConcurrent: 2 });
    expect(first && second).toBeTruthy();
    let thirdAt = 0;
    const started = Date.now();
    const third = b.acquireHost("h.test", { maxConcurrent: 2 }).then((slot) => {
      thirdAt = Date.now() - started;
      return slot;
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(thirdAt).toBe(0);
    await first!.release();
    expect(await third).toBeTruthy();
    // Another host is not limited by this one.
    expect(await a.acquireHost("other.test", { maxConcurrent: 1 })).toBeTruthy();
    // a dies holding nothing on h.test; b holds two. A dead holder's slot expires:
    const dead = await worker(job, { leaseMs: 200 });
    const acquiredAt = Date.now();
    expect(await dead.acquireHost("d.test", { maxConcurrent: 1 })).toBeTruthy();
    await dead.close({ release: false });
    expect(await a.acquireHost("d.test", { maxConcurrent: 1 })).toBeTruthy();
    expect(Date.now() - acquiredAt).toBeGreaterThanOrEqual(190);
  });

  it("spaces request starts to one host across workers by the interval", async () => {
    const job = newJob();
    const a = await worker(job);
    const b = await worker(job);
    const starts: number[] = [];
    const before = performance.now();
    await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const slot = await (i % 2 ? a : b).acquireHost("paced.test", { maxConcurrent: 10, intervalMs: 60 });
        starts.push(performance.now());
        await slot!.release();
      }),
    );
    // Each start is booked one interval after the last; a late timer can only make it later.
    starts.sort((x, y) => x - y);
    for (const [i, start] of starts.entries()) expect(start - before).toBeGreaterThanOrEqual(i * 60 - 5);
    expect(starts.at(-1)! - before).toBeLessThan(2000);
  });

  it("gives up a host wait when the signal aborts", async () => {
    const a = await worker(newJob());
    await a.acquireHost("busy.test", { maxConcurrent: 1 });
    const controller = new AbortController();
    const waiting = a.acquireHost("busy.test", { maxConcurrent: 1, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await waiting).toBeNull();
  });

  it("fetches robots.txt once per origin for two workers", async () => {
    const job = newJob();
    const a = await worker(job);
    const b = await worker(job);
    let fetches = 0;
    const fetchText = async () => {
      fetches++;
      await new Promise((resolve) => setTimeout(resolve, 100));
      return "User-agent: *\nDisallow: /private\n";
    };
    const texts = await Promise.all([
      a.robots("https://r.test", fetchText),
      b.robots("https://r.test", fetchText),
      b.robots("https://r.test", fetchText),
    ]);
    expect(fetches).toBe(1);
    expect(new Set(texts)).toEqual(new Set(["User-agent: *\nDisallow: /private\n"]));
    expect(await a.robots("https://r.test", fetchText)).toBe(texts[0]);
    expect(fetches).toBe(1);
  });

  it("lets another worker fetch robots.txt when the first one's fetch fails", async () => {
    const job = newJob();
    const a = await worker(job);
    const b = await worker(job);
    const failing = async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new Error("boom");
    };
    const first = a.robots("https://f.test", failing);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const second = b.robots("https://f.test", async () => "");
    await expect(first).rejects.toThrow("boom");
    expect(await second).toBe("");
  });
});

describe("shared frontier: connection", () => {
  it("an unreachable Redis at open is a one-line UsageError naming the URL", async () => {
    const down = await startRedisServer();
    await down.stop();
    const error = await SharedFrontier.open({ url: down.url, job: "x", config: {}, connectTimeoutMs: 1000 }).catch((e) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain(`cannot reach Redis at ${down.url}`);
    expect(error.message).not.toContain("\n");
  });

  it("refuses a URL that is not redis://, and hides a password in messages", async () => {
    await expect(SharedFrontier.open({ url: "http://127.0.0.1:1", job: "x", config: {} })).rejects.toThrow(/redis:\/\/ or rediss:\/\//);
    const error = await SharedFrontier.open({ url: "redis://user:secret@127.0.0.1:1/0", job: "x", config: {} }).catch((e) => e);
    expect(error.message).toContain("redis://user:***@127.0.0.1:1/0");
    expect(error.message).not.toContain("secret");
  });
});
