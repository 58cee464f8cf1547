/**
 * --cache (SPEC §10) across whole runs: a crawl of an unchanged site re-run at the cost of its 304s,
 * --resume together with --cache, and runs killed with kill -9 again and again.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli, spawnCli, type TrawlRecord, killRepeatedly } from "../helpers/cli.js";
import { mulberry32 } from "../helpers/random.js";
import { recordsByUrl } from "../helpers/records.js";
import { type HttpTestServer, httpServer, page, requestsTo, sleep } from "../helpers/servers.js";
import { waitFor } from "../helpers/wait.js";

let server: HttpTestServer;
let folder: string;
/** Full bodies and 304s the server sent since the last reset. */
let bodies = 0;
let notModified = 0;
/** Extra links per page path, added by a test to change the site; and a page's version (its ETag). */
const extraLinks = new Map<string, string[]>();
const versions = new Map<string, number>();
let delayOf: (pathname: string) => number = () => 0;

/**
 * The site: `/site/` links to /site/1 … /site/6, each of those to three children (/site/1/1 …),
 * 25 pages in all. Every page has an ETag (its path and version) and honours If-None-Match.
 */
function linksOf(pathname: string): string[] {
  const base = [];
  const depth = pathname.split("/").filter(Boolean).length - 1;
  if (depth === 0) for (let i = 1; i <= 6; i++) base.push(`/site/${i}`);
  else if (depth === 1) for (let i = 1; i <= 3; i++) base.push(`${pathname}/${i}`);
  return [...base, ...(extraLinks.get(pathname) ?? [])];
}

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "trawl-cache-crawl-"));
  server = await httpServer(async (req, res) => {
    const pathname = (req.url ?? "/").replace(/\/$/, "") || "/";
    await sleep(delayOf(pathname));
    const etag = `"${pathname}#${versions.get(pathname) ?? 1}"`;
    if (req.headers["if-none-match"] === etag) {
      notModified++;
      res.writeHead(304, { etag }).end();
      return;
    }
    bodies++;
    const links = linksOf(pathname.startsWith("/site") ? pathname : "/none")
      .map((href) => `<a href="${href}">${href}</a>`)
      .join(" ");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", etag });
    res.end(page(`page ${pathname}`, `<h1>${pathname}</h1><p class="v">${versions.get(pathname) ?? 1}</p>${links}`));
  });
});
afterAll(async () => {
  await server.close();
  await rm(folder, { recursive: true, force: true });
});
beforeEach(() => {
  bodies = 0;
  notModified = 0;
});

let files = 0;
const newPath = (name: string) => path.join(folder, `${++files}-${name}`);

/** A record without what changes from run to run. */
function lasting(record: TrawlRecord): Record<string, unknown> {
  const { ms: _ms, attempts: _attempts, cached: _cached, ...rest } = record;
  return rest;
}

async function linesIn(file: string): Promise<number> {
  try {
    return (await readFile(file, "utf8")).split("\n").length - 1;
  } catch {
    return 0; // not written yet
  }
}

async function recordsIn(file: string): Promise<TrawlRecord[]> {
  const text = await readFile(file, "utf8");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as TrawlRecord);
}

describe("--cache --crawl", () => {
  it("re-crawls an unchanged site in full at the cost of its 304s: no body sent, every page recorded with the same data", async () => {
    const cacheFile = newPath("site.bin");
    const args = ["-q", "--crawl", "--cache", cacheFile, "-s", "h1=h1", "-s", "version=.v", `${server.url}/site/`];
    const first = await runCli(args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.records).toHaveLength(25);
    expect(bodies).toBe(25);
    bodies = 0;
    const second = await runCli(args);
    expect(second.code, second.stderr).toBe(0);
    expect(bodies).toBe(0);
    expect(notModified).toBe(25);
    expect(second.records).toHaveLength(25);
    expect(second.records.every((record) => record.cached === true)).toBe(true);
    const before = recordsByUrl(first.records);
    for (const record of second.records) expect(lasting(record)).toEqual(lasting(before.get(record.url) as TrawlRecord));
  });

  it("a page that changed is read again (and its new links followed); the rest stay 304s", async () => {
    const cacheFile = newPath("changing.bin");
    const args = ["-q", "--crawl", "--cache", cacheFile, "-s", "version=.v", `${server.url}/site/`];
    await runCli(args);
    versions.set("/site/2", 2);
    extraLinks.set("/site/2", ["/site/2/extra"]);
    bodies = 0;
    notModified = 0;
    try {
      const second = await runCli(args);
      expect(second.records).toHaveLength(26);
      const byUrl = recordsByUrl(second.records);
      const changed = byUrl.get(`${server.url}/site/2`) as TrawlRecord;
      expect(changed.cached).toBeUndefined();
      expect(changed.data).toEqual({ version: "2" });
      expect(byUrl.get(`${server.url}/site/2/extra`)?.parent).toBe(`${server.url}/site/2`);
      expect(bodies).toBe(2);
      expect(notModified).toBe(24);
    } finally {
      versions.delete("/site/2");
      extraLinks.delete("/site/2");
    }
  });

  it("pages stored at the depth limit keep their links: a deeper crawl later follows them through 304s", async () => {
    const cacheFile = newPath("depth.bin");
    const shallow = await runCli(["-q", "--crawl", "--depth", "1", "--cache", cacheFile, `${server.url}/site/`]);
    expect(shallow.records).toHaveLength(7);
    bodies = 0;
    const deeper = await runCli(["-q", "--crawl", "--depth", "2", "--cache", cacheFile, `${server.url}/site/`]);
    expect(deeper.records).toHaveLength(25);
    expect(notModified).toBe(7);
    expect(bodies).toBe(18);
    expect(deeper.records.filter((record) => record.cached === true)).toHaveLength(7);
  });

  it("a crawl with other link settings (--follow-nofollow) does not take records kept without them", async () => {
    const cacheFile = newPath("nofollow.bin");
    await runCli(["-q", "--crawl", "--cache", cacheFile, `${server.url}/site/`]);
    bodies = 0;
    const other = await runCli(["-q", "--crawl", "--follow-nofollow", "--cache", cacheFile, `${server.url}/site/`]);
    expect(other.records).toHaveLength(25);
    expect(bodies).toBe(25);
    expect(requestsTo(server, "/site").at(-1)?.headers["if-none-match"]).toBeUndefined();
  });
});

describe("--cache --resume", () => {
  const urls = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${server.url}/${prefix}/${i}`);

  it("the URLs not yet recorded are asked for with their validators; the file ends with one record per URL", async () => {
    const cacheFile = newPath("resume.bin");
    const out = newPath("resume.ndjson");
    const list = urls("resume", 20);
    const first = await runCli(["-q", "-o", out, "--cache", cacheFile], { input: list.join("\n") });
    expect(first.code, first.stderr).toBe(0);
    // As if the run had been killed after its eighth record.
    const lines = (await readFile(out, "utf8")).split("\n").filter(Boolean);
    await writeFile(out, `${lines.slice(0, 8).join("\n")}\n`);
    bodies = 0;
    const second = await runCli(["-q", "-o", out, "--resume", "--cache", cacheFile], { input: list.join("\n") });
    expect(second.code, second.stderr).toBe(0);
    expect(notModified).toBe(12);
    expect(bodies).toBe(0);
    const records = await recordsIn(out);
    expect(records.map((record) => record.url).toSorted()).toEqual(list.toSorted());
    expect(records.filter((record) => record.cached === true)).toHaveLength(12);
  });

  it("URLs a resumed run skips are marked seen in the cache, so they do not age out", { timeout: 30_000 }, async () => {
    const cacheFile = newPath("touch.bin");
    const out = newPath("touch.ndjson");
    const [kept, control] = urls("touch", 2) as [string, string];
    // t0: both stored; only `kept` is in the output.
    await runCli(["-q", "--cache", cacheFile, control]);
    await runCli(["-q", "-o", out, "--cache", cacheFile, kept]);
    await sleep(2500);
    // t0 + 2.5 s: a resumed run skips `kept` (it is in the output), and so marks it seen.
    const resumed = await runCli(["-q", "-o", out, "--resume", "--cache", cacheFile, "--cache-max-age", "4s", kept]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(requestsTo(server, new URL(kept).pathname)).toHaveLength(1);
    await sleep(2500);
    // t0 + 5 s, entries older than 4 s dropped: `kept` was seen 2.5 s ago, `control` 5 s ago.
    const last = await runCli(["-q", "--cache", cacheFile, "--cache-max-age", "4s", kept, control]);
    const byUrl = recordsByUrl(last.records);
    expect(byUrl.get(kept)?.cached).toBe(true);
    expect(byUrl.get(control)?.cached).toBeUndefined();
  });
});

describe("--cache after kill -9, again and again", () => {
  const seed = Math.floor(Math.random() * 2 ** 31);
  // Four runs killed at random, then a last one over 150 URLs. The seed is in the name, so a failing
  // run can be replayed.
  it(`a run with the cache still completes with correct records (seed ${seed})`, { timeout: 60_000 }, async () => {
    const random = mulberry32(seed);
    const list = Array.from({ length: 150 }, (_, i) => `${server.url}/kill/${i}`);
    const delays = new Map(list.map((url) => [new URL(url).pathname, Math.floor(random() * 60)]));
    delayOf = (pathname) => delays.get(pathname) ?? 0;
    const cacheFile = newPath("kill.bin");
    const out = newPath("kill.ndjson");
    const input = list.join("\n");
    const args = ["-q", "-c", "16", "-s", "h1=h1", "--cache", cacheFile];
    try {
      const kills = await killRepeatedly(
        4,
        () => spawnCli([...args, "-o", out, "--resume"], { input }),
        async (_child, finished) => {
          // Killed once it has written a few more records (start-up time varies too much on a busy
          // machine for a fixed delay), a little later still at random.
          const wanted = (await linesIn(out)) + 1 + Math.floor(random() * 30);
          await Promise.race([waitFor(async () => ((await linesIn(out)) >= wanted ? true : undefined), "records of the run"), finished]);
          await sleep(Math.floor(random() * 50));
        },
      );
      // The server answers what the killed runs asked for after they are gone: let it finish first.
      await sleep(300);
      bodies = 0;
      notModified = 0;
      const last = await runCli(args, { input, timeoutMs: 30_000 });
      expect(last.code, last.stderr).toBe(0);
      expect(last.stderr).toBe("");
      expect(last.records.map((record) => record.url).toSorted()).toEqual(list.toSorted());
      for (const record of last.records) {
        expect(record).toMatchObject({ ok: true, status: 200, data: { h1: new URL(record.url).pathname }, error: null });
      }
      const cached = last.records.filter((record) => record.cached === true).length;
      // What the killed runs kept comes back as 304s; the rest is read in full.
      expect(cached).toBe(notModified);
      expect(bodies).toBe(list.length - cached);
      expect(cached).toBeGreaterThan(0);
      expect(kills).toBeGreaterThan(0);
    } finally {
      delayOf = () => 0;
    }
  });
});
