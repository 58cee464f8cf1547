/**
 * --cache (SPEC §10), the file and the CLI around it: files that are not caches, damaged or from
 * another version, one process per file, --cache-max-age, what the summary, CSV and GitHub say,
 * the library's own `cache` option, and that a run without a cache loads none of it.
 */
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trawl } from "../../dist/index.js";
import { binPath, collect, runCli, spawnCli, spawnNode } from "../helpers/cli.js";
import { parseCsv } from "../helpers/csv.js";
import { toArray } from "../helpers/iterables.js";
import { recordFor } from "../helpers/records.js";
import { type HttpTestServer, httpServer, page, requestsTo, sleep } from "../helpers/servers.js";
import { until } from "../helpers/wait.js";

let server: HttpTestServer;
let folder: string;
let files = 0;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "trawl-cache-file-"));
  // Every page has an ETag and answers it with a 304; /plain/ pages have no validator; /slow/ pages
  // take a second and a half.
  server = await httpServer(async (req, res) => {
    const url = req.url ?? "/";
    if (url.startsWith("/slow/")) await sleep(1500);
    const etag = url.startsWith("/plain/") ? undefined : `"${url}"`;
    if (etag !== undefined && req.headers["if-none-match"] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...(etag === undefined ? {} : { etag }) });
    res.end(page(`page ${url}`, `<h1>${url}</h1>`));
  });
});
afterAll(async () => {
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

const newPath = (name: string) => path.join(folder, `${++files}-${name}`);
const urlOf = (pathname: string) => `${server.url}${pathname}`;
const ifNoneMatchOf = (pathname: string, index: number) => requestsTo(server, pathname)[index]?.headers["if-none-match"];

describe("--cache: files that are not a healthy cache", () => {
  it("a file that is not a cache stops the run (exit 2, naming --cache) and neither it nor the output is touched", async () => {
    const notCache = newPath("README.md");
    const out = newPath("out.ndjson");
    await writeFile(notCache, "# my notes\n");
    await writeFile(out, "earlier output\n");
    const result = await runCli(["--cache", notCache, "-o", out, urlOf("/x/not-a-cache")]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^trawl: --cache .*README\.md exists and is not a trawl cache/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(await readFile(notCache, "utf8")).toBe("# my notes\n");
    expect(await readFile(out, "utf8")).toBe("earlier output\n");
    expect(requestsTo(server, "/x/not-a-cache")).toHaveLength(0);
  });

  it("the output file given as the cache too is a usage error, before either is opened", async () => {
    const both = newPath("both.ndjson");
    const result = await runCli(["--cache", both, "-o", both, urlOf("/x/both")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^trawl: --cache and --output name the same file/);
    expect(existsSync(both)).toBe(false);
  });

  it("a file in a folder that does not exist, or a folder, is a usage error naming --cache", async () => {
    const missing = await runCli(["--cache", path.join(folder, "no-such-folder", "c.bin"), urlOf("/x/missing")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^trawl: --cache .*no-such-folder/);
    const aFolder = newPath("a-folder");
    await mkdir(aFolder);
    const folderResult = await runCli(["--cache", aFolder, urlOf("/x/folder")]);
    expect(folderResult.code).toBe(2);
    expect(folderResult.stderr).toMatch(/^trawl: --cache /);
  });

  it("a file of another format version: a warning naming --cache, then a fresh cache that works", async () => {
    const cacheFile = newPath("old.bin");
    const header = Buffer.alloc(16);
    header.write("trawl-cache\n", 0, "latin1");
    header.writeUInt32LE(99, 12);
    await writeFile(cacheFile, Buffer.concat([header, Buffer.alloc(100, 7)]));
    const url = urlOf("/x/version");
    const first = await runCli(["--cache", cacheFile, url]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^trawl: warning: --cache .*another version of trawl .*starting a fresh cache$/m);
    const second = await runCli(["-q", "--cache", cacheFile, url]);
    expect(second.stderr).toBe("");
    expect(second.records[0]?.cached).toBe(true);
  });

  it("a damaged file: a warning, the entries before the damage kept and the rest fetched again", async () => {
    const cacheFile = newPath("damaged.bin");
    const urls = ["/x/damage-1", "/x/damage-2", "/x/damage-3"].map(urlOf);
    // One at a time, so the entries are written in this order.
    await runCli(["-q", "-c", "1", "--ordered", "--cache", cacheFile, ...urls]);
    const bytes = await readFile(cacheFile);
    // The first frame starts after the 16-byte file header; its length is its first u32 (+ a 32-byte header).
    const second = 16 + 32 + bytes.readUInt32LE(16);
    bytes[second + 8] = (bytes[second + 8] as number) ^ 0xff; // inside the second frame's header: its checksum fails
    await writeFile(cacheFile, bytes);
    const result = await runCli(["--cache", cacheFile, "-c", "1", ...urls]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^trawl: warning: --cache .* is damaged at byte \d+/m);
    expect(recordFor(result, urls[0] as string).cached).toBe(true);
    expect(recordFor(result, urls[1] as string).cached).toBeUndefined();
    expect(recordFor(result, urls[2] as string).cached).toBeUndefined();
    expect(result.records.every((record) => record.ok)).toBe(true);
  });

  it("a torn tail (a write cut by kill -9) is dropped quietly: the whole entries before it still hit", async () => {
    const cacheFile = newPath("torn.bin");
    const urls = ["/x/torn-1", "/x/torn-2"].map(urlOf);
    await runCli(["-q", "-c", "1", "--ordered", "--cache", cacheFile, ...urls]);
    await truncate(cacheFile, (await stat(cacheFile)).size - 5);
    const result = await runCli(["--cache", cacheFile, "-c", "1", ...urls]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/warning/);
    expect(recordFor(result, urls[0] as string).cached).toBe(true);
    expect(recordFor(result, urls[1] as string).cached).toBeUndefined();
  });
});

describe("--cache: one process per file", () => {
  it("a second process on a file in use is refused (exit 2, naming --cache); the first one finishes", async () => {
    const cacheFile = newPath("busy.bin");
    const first = spawnCli(["-q", "--cache", cacheFile, urlOf("/slow/busy")]);
    const firstDone = collect(first);
    await until(() => requestsTo(server, "/slow/busy").length > 0, "the first run's request");
    const second = await runCli(["-q", "--cache", cacheFile, urlOf("/x/busy-second")]);
    expect(second.code).toBe(2);
    expect(second.stdout).toBe("");
    expect(second.stderr).toMatch(
      /^trawl: --cache .* is in use by another trawl process \(pid \d+\); give each process its own cache file/,
    );
    expect(requestsTo(server, "/x/busy-second")).toHaveLength(0);
    const result = await firstDone;
    expect(result.code, result.stderr).toBe(0);
    // Its lock went with it: the file is free again.
    expect(existsSync(`${cacheFile}.lock`)).toBe(false);
    expect((await runCli(["-q", "--cache", cacheFile, urlOf("/slow/busy")])).records[0]?.cached).toBe(true);
  });

  it("shards of one list run side by side, each with its own file", async () => {
    const urls = Array.from({ length: 12 }, (_, i) => urlOf(`/x/shard-${i}`));
    const runShards = () =>
      Promise.all(
        [1, 2].map((k) => runCli(["-q", "--shard", `${k}/2`, "--cache", path.join(folder, `shard-${k}.bin`)], { input: urls.join("\n") })),
      );
    const first = await runShards();
    expect(first.map((result) => result.code)).toEqual([0, 0]);
    const again = await runShards();
    const records = again.flatMap((result) => result.records);
    expect(records.map((record) => record.url).toSorted()).toEqual(urls.toSorted());
    expect(records.every((record) => record.cached === true)).toBe(true);
  });
});

describe("--cache-max-age", () => {
  it("takes durations such as 30d; bad text or no --cache is a usage error naming the flag", async () => {
    const bad = await runCli(["--cache", newPath("age.bin"), "--cache-max-age", "soon", urlOf("/x/age")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("trawl: --cache-max-age must be a duration such as 12h or 30d, got `soon`\n");
    const zero = await runCli(["--cache", newPath("age.bin"), "--cache-max-age", "0", urlOf("/x/age")]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/^trawl: --cache-max-age must be/);
    const alone = await runCli(["--cache-max-age", "30d", urlOf("/x/age")]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe("trawl: --cache-max-age needs --cache FILE\n");
    const good = await runCli(["-q", "--cache", newPath("age.bin"), "--cache-max-age", "30d", urlOf("/x/age")]);
    expect(good.code, good.stderr).toBe(0);
  });

  it("entries not seen for longer are dropped: the URL is fetched plainly", async () => {
    const [short, long] = [newPath("short.bin"), newPath("long.bin")];
    await Promise.all([runCli(["-q", "--cache", short, urlOf("/x/aged-short")]), runCli(["-q", "--cache", long, urlOf("/x/aged-long")])]);
    await sleep(2200);
    const [dropped, kept] = await Promise.all([
      runCli(["-q", "--cache", short, "--cache-max-age", "1s", urlOf("/x/aged-short")]),
      runCli(["-q", "--cache", long, "--cache-max-age", "1m", urlOf("/x/aged-long")]),
    ]);
    expect(ifNoneMatchOf("/x/aged-short", 1)).toBeUndefined();
    expect(dropped.records[0]?.cached).toBeUndefined();
    expect(ifNoneMatchOf("/x/aged-long", 1)).toBe('"/x/aged-long"');
    expect(kept.records[0]?.cached).toBe(true);
  });
});

describe("--cache: the run's report counts what came from the cache", () => {
  it("the summary on stderr, --summary JSON, the GitHub step summary and a CSV column", async () => {
    const cacheFile = newPath("report.bin");
    const urls = [urlOf("/x/report-1"), urlOf("/x/report-2"), urlOf("/plain/report-3")];
    await runCli(["-q", "--cache", cacheFile, "-s", "h1=h1", ...urls]);
    const summaryFile = newPath("summary.json");
    const stepFile = newPath("step.md");
    const csvFile = newPath("out.csv");
    const result = await runCli(["--cache", cacheFile, "--summary", summaryFile, "-o", csvFile, "-s", "h1=h1", ...urls], {
      env: { GITHUB_STEP_SUMMARY: stepFile },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^trawl: 3 URLs, 3 ok \(2 cached\), 0 failed/m);
    const summary = JSON.parse(await readFile(summaryFile, "utf8"));
    expect(summary).toMatchObject({ total: 3, ok: 3, cached: 2, failed: 0 });
    const markdown = await readFile(stepFile, "utf8");
    expect(markdown).toContain("| URLs | ok | cached | failed |");
    expect(markdown).toMatch(/^\| 3 \| 3 \| 2 \| 0 \|/m);
    const [header, ...rows] = parseCsv(await readFile(csvFile, "utf8"));
    expect(header).toEqual(["url", "finalUrl", "status", "ok", "attempts", "ms", "bytes", "contentType", "title", "error", "cached", "h1"]);
    const cachedOf = new Map(rows.map((row) => [row[0], row[10]]));
    expect(cachedOf.get(urls[0])).toBe("true");
    expect(cachedOf.get(urls[1])).toBe("true");
    expect(cachedOf.get(urls[2])).toBe("");
    expect(rows.every((row) => row[11] === new URL(row[0] as string).pathname)).toBe(true);
  });

  it("a run without a cache says nothing of one: no cached count, no CSV column", async () => {
    const csvFile = newPath("plain.csv");
    const result = await runCli(["-o", csvFile, urlOf("/x/no-cache")]);
    expect(result.stderr).toMatch(/^trawl: 1 URLs, 1 ok, 0 failed/m);
    expect(parseCsv(await readFile(csvFile, "utf8"))[0]).not.toContain("cached");
  });
});

describe("--cache: the library option and start-up", () => {
  it("trawl(urls, { cache }) re-emits the stored records, and tells a damaged file through onWarning", async () => {
    const cacheFile = newPath("library.bin");
    const urls = [urlOf("/x/lib-1"), urlOf("/x/lib-2")];
    const first = await toArray(trawl(urls, { cache: cacheFile, select: { h1: "h1" } }));
    expect(first.every((record) => record.cached === undefined)).toBe(true);
    const second = await toArray(trawl(urls, { cache: cacheFile, select: { h1: "h1" } }));
    expect(second.map((record) => record.cached)).toEqual([true, true]);
    expect(recordFor(second, urls[0] as string).data).toEqual({ h1: "/x/lib-1" });
    await writeFile(
      cacheFile,
      Buffer.concat([await readFile(cacheFile), Buffer.from("garbage that is no frame at all, longer than a header")]),
    );
    const warnings: { option: string; message: string }[] = [];
    const third = await toArray(trawl(urls, { cache: cacheFile, select: { h1: "h1" }, onWarning: (warning) => warnings.push(warning) }));
    expect(warnings).toEqual([{ option: "cache", message: expect.stringMatching(/is damaged at byte/) }]);
    expect(third.map((record) => record.cached)).toEqual([true, true]);
    await expect(toArray(trawl(urls, { cache: cacheFile, cacheMaxAgeMs: 0 }))).rejects.toThrow(/cacheMaxAgeMs must be an integer >= 1/);
  });

  it("breaking out of the loop early lets the file go for the next run in the same process", async () => {
    const cacheFile = newPath("early.bin");
    const urls = Array.from({ length: 20 }, (_, i) => urlOf(`/x/early-${i}`));
    for await (const _record of trawl(urls, { cache: cacheFile, concurrency: 4 })) break;
    const again = await toArray(trawl(urls, { cache: cacheFile, concurrency: 4 }));
    expect(again).toHaveLength(20);
  });

  const trace = fileURLToPath(new URL("../helpers/trace-imports.mjs", import.meta.url));
  const loadsCacheModules = async (args: string[]) => {
    const { stderr, code } = await collect(spawnNode(["--import", trace, binPath, ...args]));
    expect(code).toBe(0);
    return { semantics: /node_modules\/http-cache-semantics\//.test(stderr), store: /\/dist\/cache\/response-cache\.js/.test(stderr) };
  };

  it("a run without --cache loads none of the cache's modules; a run with it does", async () => {
    expect(await loadsCacheModules(["-q", urlOf("/x/trace")])).toEqual({ semantics: false, store: false });
    expect(await loadsCacheModules(["-q", "--cache", newPath("trace.bin"), urlOf("/x/trace")])).toEqual({ semantics: true, store: true });
  });
});
