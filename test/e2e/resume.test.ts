/** --resume (SPEC §4): exactly one record per input URL, whatever happens to the runs in between. */
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, runCli, spawnCli, killRepeatedly } from "../helpers/cli.js";
import { mulberry32 } from "../helpers/random.js";
import { type HttpTestServer, httpServer, page, sleep } from "../helpers/servers.js";
import { until } from "../helpers/wait.js";

let server: HttpTestServer;
let folder: string;
/** Per-URL delays, set by each test: a URL's delay is `delayOf(path)` ms. */
let delayOf: (path: string) => number = () => 0;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "trawl-resume-"));
  server = await httpServer(async (req, res) => {
    await sleep(delayOf(req.url ?? "/"));
    res.writeHead(200, { "content-type": "text/html" });
    res.end(page(`page ${req.url}`));
  });
});
afterAll(async () => {
  delayOf = () => 0;
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

/** Parses an NDJSON file strictly: every line must be a whole JSON record. */
async function recordsIn(file: string): Promise<{ url: string; ok: boolean; error: { code: string } | null }[]> {
  const text = await readFile(file, "utf8");
  expect(text === "" || text.endsWith("\n"), "the file ends with a complete line").toBe(true);
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
}

function urlList(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${server.url}/${prefix}/${i}`);
}

describe("--resume", () => {
  it("skips the URLs already in the file and appends the rest", async () => {
    const out = path.join(folder, "append.ndjson");
    const first = urlList("append", 10);
    const more = urlList("append", 15);
    expect((await runCli(["-o", out, "-q"], { input: first.join("\n") })).code).toBe(0);
    server.resetStats();
    const second = await runCli(["-o", out, "--resume", "-q"], { input: more.join("\n") });
    expect(second.code).toBe(0);
    expect(server.requests).toBe(5);
    const records = await recordsIn(out);
    expect(records.map((r) => r.url).toSorted()).toEqual(more.toSorted());
  });

  it("cuts a half-written last line before appending", async () => {
    const out = path.join(folder, "partial.ndjson");
    const urls = urlList("partial", 4);
    const whole = JSON.stringify({ url: urls[0], ok: true, error: null });
    await writeFile(out, `${whole}\n{"url":"${urls[1]}","finalUrl":"${urls[1]}","sta`);
    const result = await runCli(["-o", out, "--resume", "-q"], { input: urls.join("\n") });
    expect(result.code).toBe(0);
    const records = await recordsIn(out);
    expect(records.map((r) => r.url).toSorted()).toEqual(urls.toSorted());
  });

  it("keeps bad lines exactly once too", async () => {
    const out = path.join(folder, "bad.ndjson");
    const input = [`${server.url}/bad/1`, "not a url", "mailto:x@example.com"].join("\n");
    await runCli(["-o", out, "-q"], { input });
    await runCli(["-o", out, "--resume", "-q"], { input });
    const records = await recordsIn(out);
    expect(records.map((r) => r.url).toSorted()).toEqual([`${server.url}/bad/1`, "mailto:x@example.com", "not a url"]);
  });

  it("does not record URLs aborted by SIGINT, and the next run fetches them", async () => {
    const out = path.join(folder, "sigint.ndjson");
    const urls = urlList("sigint", 30);
    delayOf = (p) => (p.startsWith("/sigint/") && Number(p.split("/")[2]) >= 10 ? 10_000 : 0);
    const child = spawnCli(["-o", out, "--resume", "-q", "-c", "30"], { input: urls.join("\n") });
    // Every URL asked, only the 20 slow ones unanswered, and the 10 answered ones in the file: not a
    // fixed delay, which a loaded machine outruns.
    const linesIn = () => (existsSync(out) ? readFileSync(out, "utf8").split("\n").length - 1 : 0);
    await until(
      () => server.log.filter((r) => r.url.startsWith("/sigint/")).length === 30 && server.inFlight === 20 && linesIn() === 10,
      "the 30 requests, 20 of them hanging, 10 records written",
    );
    child.kill("SIGINT");
    const first = await collect(child);
    expect(first.code).toBe(130);
    const afterSignal = await recordsIn(out);
    expect(afterSignal.every((r) => r.error?.code !== "EABORTED")).toBe(true);
    expect(afterSignal.length).toBe(10);
    delayOf = () => 0;
    const second = await runCli(["-o", out, "--resume", "-q"], { input: urls.join("\n") });
    expect(second.code).toBe(0);
    const records = await recordsIn(out);
    expect(records.map((r) => r.url).toSorted()).toEqual(urls.toSorted());
  });

  it("rejects --resume without --output, or with csv", async () => {
    const noOutput = await runCli(["--resume", `${server.url}/x`]);
    expect(noOutput.code).toBe(2);
    expect(noOutput.stderr).toMatch(/^trawl: --resume needs --output/);
    const csv = await runCli(["--resume", "-o", path.join(folder, "x.csv"), `${server.url}/x`]);
    expect(csv.code).toBe(2);
    expect(csv.stdout).toBe("");
  });
});

describe("--resume after kill -9, again and again", () => {
  const seeds = [20261122, Math.floor(Math.random() * 2 ** 31), Math.floor(Math.random() * 2 ** 31)];
  for (const seed of seeds) {
    // Six runs killed at random, then a last one over 300 URLs: about half a minute on a busy machine.
    // The seed is in the name, so a failing run can be replayed.
    it(`ends with exactly one valid record per URL (seed ${seed})`, { timeout: 60_000 }, async () => {
      const random = mulberry32(seed);
      const urls = urlList(`kill-${seed}`, 300);
      const delays = new Map(urls.map((url) => [new URL(url).pathname, Math.floor(random() * 80)]));
      delayOf = (p) => delays.get(p) ?? 0;
      const out = path.join(folder, `kill-${seed}.ndjson`);
      const input = urls.join("\n");
      const kills = await killRepeatedly(
        6,
        () => spawnCli(["-o", out, "--resume", "-q", "-c", "16"], { input }),
        () => sleep(150 + Math.floor(random() * 400)),
      );
      const last = await runCli(["-o", out, "--resume", "-q", "-c", "16"], { input, timeoutMs: 30_000 });
      expect(last.code, last.stderr).toBe(0);
      const records = await recordsIn(out);
      expect(records).toHaveLength(urls.length);
      expect(records.map((r) => r.url).toSorted()).toEqual(urls.toSorted());
      expect(records.every((r) => r.ok)).toBe(true);
      expect(kills).toBeGreaterThan(0);
    });
  }
});

describe("--save", () => {
  it("stores each body under the folder and names it in the record", async () => {
    const saveDir = path.join(folder, "saved");
    const urls = [`${server.url}/save/a`, `${server.url}/save/a/b`, `${server.url}/save/%2e%2e/%2e%2e/x`, `${server.url}/save/q?x=1`];
    const result = await runCli(["--save", saveDir, "-q", ...urls]);
    expect(result.code).toBe(0);
    expect(result.records).toHaveLength(urls.length);
    const files = new Set<string>();
    for (const record of result.records) {
      const file = (record as unknown as { file: string }).file;
      expect(path.resolve(file).startsWith(path.resolve(saveDir) + path.sep)).toBe(true);
      expect(await readFile(file, "utf8")).toContain("<title>page ");
      files.add(file);
    }
    expect(files.size).toBe(urls.length);
  });
});
