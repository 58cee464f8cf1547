/**
 * Issue 12 #2 and SPEC §4: `--resume` with `--crawl` continues the crawl. A crawl stopped (SIGINT,
 * or kill -9 again and again) and resumed ends with exactly the pages of a crawl never stopped,
 * each once: the crawl journal (`<output>.crawl`) holds the links of every recorded page.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trawl } from "../../dist/index.js";
import { collect, runCli, spawnCli, killRepeatedly } from "../helpers/cli.js";
import { mulberry32 } from "../helpers/random.js";
import { until } from "../helpers/wait.js";
import { type HttpTestServer, httpServer, page, sleep } from "../helpers/servers.js";

const PAGES = 300;
let server: HttpTestServer;
let folder: string;
let delayOf: (pathname: string) => number = () => 0;

/** Page i links to a few others; /r/i redirects to /p/i (a URL reached by a redirect is seen too). */
function linksOf(i: number): string[] {
  const targets = [(i * 7 + 1) % PAGES, (i * 13 + 5) % PAGES, (i + 1) % PAGES];
  return [...targets.map((t) => `/p/${t}`), `/r/${(i * 3) % PAGES}`, "/p/0#top"];
}

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "trawl-resume-crawl-"));
  server = await httpServer(async (req, res) => {
    const pathname = req.url ?? "/";
    await sleep(delayOf(pathname));
    const redirect = /^\/r\/(\d+)$/.exec(pathname);
    if (redirect) {
      res.writeHead(301, { location: `/p/${redirect[1]}` });
      res.end();
      return;
    }
    const match = /^\/p\/(\d+)$/.exec(pathname);
    if (!match || Number(match[1]) >= PAGES) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("no");
      return;
    }
    const i = Number(match[1]);
    res.writeHead(200, { "content-type": "text/html" });
    res.end(
      page(
        `page ${i}`,
        linksOf(i)
          .map((href) => `<a href="${href}">${href}</a>`)
          .join(" "),
      ),
    );
  });
});
afterAll(async () => {
  delayOf = () => 0;
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

async function recordsIn(file: string): Promise<{ url: string; finalUrl: string }[]> {
  const text = await readFile(file, "utf8");
  expect(text === "" || text.endsWith("\n"), "the file ends with a complete line").toBe(true);
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
}

async function urlsIn(file: string): Promise<string[]> {
  return (await recordsIn(file)).map((record) => record.url);
}

/**
 * The pages a crawl recorded: the final URLs. Which URL of a redirect pair (/r/i or /p/i) gets a
 * record depends on timing, in any crawl; the pages do not. No URL may have two records.
 */
async function pagesIn(file: string): Promise<string[]> {
  const records = await recordsIn(file);
  const urls = records.map((record) => record.url);
  expect(new Set(urls).size, "no URL twice").toBe(urls.length);
  return [...new Set(records.map((record) => record.finalUrl))].toSorted();
}

const crawlArgs = (out: string) => ["--crawl", "--depth", "1000", "-o", out, "-q", "-c", "8", `${server.url}/p/0`];

let whole: string[];
beforeAll(async () => {
  const out = path.join(folder, "whole.ndjson");
  const result = await runCli(crawlArgs(out), { timeoutMs: 30_000 });
  expect(result.code, result.stderr).toBe(0);
  whole = await pagesIn(out);
  expect(whole).toHaveLength(PAGES);
  expect(existsSync(`${out}.crawl`), "a finished crawl leaves no journal").toBe(false);
}, 60_000);

describe("--resume --crawl", () => {
  it("after Ctrl-C, the rerun fetches the rest: the same pages as a crawl never stopped, each once", async () => {
    delayOf = () => 40;
    const out = path.join(folder, "sigint.ndjson");
    const asked = server.requests;
    const child = spawnCli(crawlArgs(out));
    const finished = collect(child, 30_000);
    // Stopped mid-crawl, once it is under way (a fixed delay may end it before Node is even up).
    await until(() => server.requests >= asked + 10, "ten pages asked");
    child.kill("SIGINT");
    const stopped = await finished;
    expect(stopped.code).toBe(130);
    const first = await urlsIn(out);
    expect(first.length).toBeLessThan(PAGES);
    expect(existsSync(`${out}.crawl`)).toBe(true);
    delayOf = () => 0;
    const rest = await runCli([...crawlArgs(out), "--resume"], { timeoutMs: 30_000 });
    expect(rest.code, rest.stderr).toBe(0);
    expect(await pagesIn(out)).toEqual(whole);
  });

  const seed = Math.floor(Math.random() * 2 ** 31);
  it(`after kill -9 again and again: the same pages, each once (seed ${seed})`, { timeout: 90_000 }, async () => {
    const random = mulberry32(seed);
    delayOf = (pathname) => (pathname.length * 7919) % 40;
    const out = path.join(folder, `kill-${seed}.ndjson`);
    const kills = await killRepeatedly(
      6,
      (round) => spawnCli([...crawlArgs(out), ...(round === 0 ? [] : ["--resume"])]),
      () => sleep(200 + Math.floor(random() * 400)),
    );
    const last = await runCli([...crawlArgs(out), "--resume"], { timeoutMs: 40_000 });
    expect(last.code, last.stderr).toBe(0);
    expect(await pagesIn(out)).toEqual(whole);
    expect(kills).toBeGreaterThan(0);
  });
});

describe("a resumed crawl's totals (onQueued)", () => {
  it("tells of the pages the journal brings back: every record of the resumed run was queued", async () => {
    const journal = path.join(folder, "library.crawl");
    const options = { crawl: { depth: 1000, journal }, concurrency: 4 };
    const recorded = new Set<string>();
    for await (const record of trawl([`${server.url}/p/0`], options)) {
      recorded.add(record.url);
      if (recorded.size === 20) break;
    }
    expect(existsSync(journal), "a crawl left early keeps its journal").toBe(true);
    const queued = new Set<string>();
    const resumed: string[] = [];
    const skip = (key: string) => recorded.has(key);
    for await (const record of trawl([`${server.url}/p/0`], { ...options, skip, onQueued: (url) => queued.add(url) })) {
      resumed.push(record.url);
    }
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.filter((url) => !queued.has(url))).toEqual([]);
  });
});
