/**
 * `trawl --frontier … --job …` from the command line: workers sharing a crawl, `--status`,
 * `--export`, a job refused for another configuration, an unreachable Redis, and the usage errors.
 * Real processes, a private redis-server, a real site on 127.0.0.1. The faults are in fleet-faults.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@redis/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binPath, collect, parseRecords, runCli, spawnCli, spawnNode } from "../helpers/cli.js";
import { closedPort } from "../helpers/servers.js";
import { type RedisTestServer, startRedisServer } from "../helpers/redis-server.js";
import { duplicates, useTreeSites } from "./fleet-site.js";

let redis: RedisTestServer;
let raw: ReturnType<typeof createClient>;
let dir: string;
let jobCount = 0;

beforeAll(async () => {
  redis = await startRedisServer();
  raw = createClient({ url: redis.url, RESP: 2 });
  await raw.connect();
  dir = mkdtempSync(path.join(tmpdir(), "trawl-fleet-cli-"));
});

afterAll(async () => {
  await raw.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

const site = useTreeSites();

const newJob = () => `cli-${++jobCount}`;
const file = (name: string) => path.join(dir, name);
const fleet = (job: string) => ["--frontier", redis.url, "--job", job];
const worker = (job: string) => [...fleet(job), "--crawl", "--depth", "30", "-c", "2", "-q"];
const lines = (name: string) => readFileSync(file(name), "utf8").split("\n").filter(Boolean);
const urlsIn = (name: string) => lines(name).map((line) => (JSON.parse(line) as { url: string }).url);

async function keysOf(job: string): Promise<string[]> {
  return (await raw.sendCommand(["KEYS", `trawl:{${job}}:*`])) as string[];
}

describe("workers from the command line", () => {
  it("a worker with --cache re-crawls an unchanged site from its 304s: the stored links are offered again", async () => {
    const tree = await site(30);
    const cache = file("fleet.cache");
    const first = await runCli([...worker(newJob()), "--cache", cache, "-o", file("cache-1.ndjson"), tree.root]);
    expect(first.code, first.stderr).toBe(0);
    expect(new Set(urlsIn("cache-1.ndjson"))).toEqual(new Set(tree.urls));
    const second = await runCli([...worker(newJob()), "--cache", cache, "-o", file("cache-2.ndjson"), tree.root]);
    expect(second.code, second.stderr).toBe(0);
    const records = lines("cache-2.ndjson").map((line) => JSON.parse(line) as { url: string; cached?: boolean });
    expect(new Set(records.map((record) => record.url))).toEqual(new Set(tree.urls));
    expect(records.filter((record) => record.cached !== true)).toEqual([]);
  });

  it("a worker with --cache keeps the links of pages at its depth limit: a deeper run from the same cache finds the pages past them", async () => {
    const tree = await site(30);
    const cache = file("fleet-depth.cache");
    const shallow = [...fleet(newJob()), "--crawl", "--depth", "1", "-c", "2", "-q", "--cache", cache];
    const first = await runCli([...shallow, "-o", file("depth-1.ndjson"), tree.root]);
    expect(first.code, first.stderr).toBe(0);
    // Page n of the tree is at depth floor(log2(n + 1)): 0, then 1 and 2.
    expect(urlsIn("depth-1.ndjson").toSorted()).toEqual(tree.urls.slice(0, 3).toSorted());
    const deeper = [...fleet(newJob()), "--crawl", "--depth", "3", "-c", "2", "-q", "--cache", cache];
    const second = await runCli([...deeper, "-o", file("depth-3.ndjson"), tree.root]);
    expect(second.code, second.stderr).toBe(0);
    // Pages 1 and 2 answer 304: their stored links lead on to depths 2 and 3.
    expect(urlsIn("depth-3.ndjson").toSorted()).toEqual(tree.urls.slice(0, 15).toSorted());
  });

  it("two workers share the crawl; --status counts it; --export writes it once and removes only this job's keys", async () => {
    const tree = await site(60, 5);
    const job = newJob();
    const other = newJob();
    // Another job on the same Redis, with the same site: it must come through untouched.
    expect((await runCli([...worker(other), tree.root])).code).toBe(0);
    const otherKeys = await keysOf(other);
    const [a, b] = await Promise.all([
      runCli([...worker(job), "-o", file(`${job}-a.ndjson`), tree.root]),
      runCli([...worker(job), "-o", file(`${job}-b.ndjson`), tree.root]),
    ]);
    expect([a.code, b.code, a.stdout, b.stdout]).toEqual([0, 0, "", ""]);
    const mine = [...urlsIn(`${job}-a.ndjson`), ...urlsIn(`${job}-b.ndjson`)];
    expect(duplicates(mine)).toEqual([]);
    expect(new Set(mine)).toEqual(new Set(tree.urls));

    const status = await runCli(["--status", ...fleet(job)]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ job, queued: 0, claimed: 0, committed: 60, failed: 0, workersSeen: 2, done: true });

    const exported = await runCli(["--export", file(`${job}.ndjson`), ...fleet(job)]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe("");
    expect(exported.stderr).toMatch(
      /^trawl: 60 records exported to .*; the crawl is over and every record is in the file; the job's keys are removed\n$/,
    );
    // Exactly the records the workers wrote, each once.
    expect(new Set(lines(`${job}.ndjson`))).toEqual(new Set([...lines(`${job}-a.ndjson`), ...lines(`${job}-b.ndjson`)]));
    expect(lines(`${job}.ndjson`)).toHaveLength(60);
    expect(await keysOf(job)).toEqual([]);
    expect((await keysOf(other)).sort()).toEqual(otherKeys.sort());

    const gone = await runCli(["--status", ...fleet(job)]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toBe(`trawl: no job "${job}" in that Redis (never started, or removed after a complete --export)\n`);
  });

  it("--export during the crawl writes what is committed, and a second --export continues; --keep keeps the job", async () => {
    const tree = await site(40, 100);
    const job = newJob();
    const crawl = spawnCli([...worker(job), tree.root]);
    const done = collect(crawl, 30_000);
    // Wait until some pages are committed, then export mid-crawl.
    for (let committed = 0; committed < 5; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      committed = Number(await raw.sendCommand(["HGET", `trawl:{${job}}:counts`, "committed"]));
    }
    const early = await runCli(["--export", file(`${job}.ndjson`), ...fleet(job)]);
    expect(early.code).toBe(0);
    expect(early.stderr).toMatch(/the crawl is not over: run --export again to continue\n$/);
    const first = lines(`${job}.ndjson`).length;
    expect(first).toBeGreaterThan(0);
    expect((await done).code).toBe(0);
    const rest = await runCli(["--export", file(`${job}.ndjson`), "--keep", ...fleet(job)]);
    expect(rest.stderr).toMatch(new RegExp(`^trawl: ${40 - first} records exported .*\\(--keep: the job's keys stay\\)\\n$`));
    expect(urlsIn(`${job}.ndjson`).sort()).toEqual([...tree.urls].sort());
    expect(duplicates(urlsIn(`${job}.ndjson`))).toEqual([]);
    expect((await keysOf(job)).length).toBeGreaterThan(0);
  });

  it("a worker with no URL of its own joins the job and takes part", async () => {
    // Slow enough (60 pages × 80 ms at -c 2) that the helper, polling up to a second apart, finds work.
    const tree = await site(60, 80);
    const job = newJob();
    // Stdin is an empty pipe (as under systemd or in a container): no URL, and no usage error.
    const helper = collect(spawnCli([...worker(job), "-o", file(`${job}-helper.ndjson`)]), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const seeder = await runCli([...worker(job), "-o", file(`${job}-seeder.ndjson`), tree.root], { timeoutMs: 30_000 });
    const joined = await helper;
    expect([seeder.code, joined.code, joined.stderr]).toEqual([0, 0, ""]);
    const all = [...urlsIn(`${job}-seeder.ndjson`), ...urlsIn(`${job}-helper.ndjson`)];
    expect(urlsIn(`${job}-helper.ndjson`).length).toBeGreaterThan(0);
    expect(duplicates(all)).toEqual([]);
    expect(new Set(all)).toEqual(new Set(tree.urls));
  });
});

describe("a job that cannot be joined", () => {
  it("refuses a worker with another scope, selectors or depth under the same name: exit 2, naming the difference", async () => {
    const tree = await site(3);
    const job = newJob();
    expect((await runCli([...worker(job), "-s", "h=h1", tree.root])).code).toBe(0);
    for (const [args, difference] of [
      [["--scope", "host", "-s", "h=h1"], "crawl.scope"],
      [["-s", "h=h2"], "select"],
      [["--depth", "3", "-s", "h=h1"], "crawl.maxDepth"],
    ] as const) {
      const refused = await runCli([...worker(job), ...args, tree.root]);
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe("");
      expect(refused.stderr.split("\n")).toHaveLength(2);
      expect(refused.stderr).toContain(`trawl: the job "${job}" already exists with another configuration (differs in ${difference}`);
    }
  });

  it("an unreachable Redis: exit 2 with one line naming it, before anything is fetched", async () => {
    const tree = await site(3);
    const port = await closedPort();
    const result = await runCli(["--frontier", `redis://127.0.0.1:${port}/0`, "--job", "x", "--crawl", tree.root]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(new RegExp(`^trawl: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}/0: .*ECONNREFUSED.*\\n$`));
    expect(tree.server.requests).toBe(0);
    for (const command of [["--status"], ["--export", file("never.ndjson")]]) {
      const job = await runCli([...command, "--frontier", `redis://127.0.0.1:${port}/0`, "--job", "x"]);
      expect(job.code).toBe(2);
      expect(job.stderr).toMatch(/^trawl: cannot reach Redis at .*\n$/);
    }
  });
});

describe("usage", () => {
  it.each([
    [["--frontier", "redis://127.0.0.1:1/0", "--crawl", "https://a.test/"], "--frontier needs --job <name>"],
    [["--job", "x", "--crawl", "https://a.test/"], "--job needs --frontier"],
    [["--lease", "5s", "--crawl", "https://a.test/"], "--lease needs --frontier"],
    [
      ["--frontier", "redis://127.0.0.1:1/0", "--job", "x", "https://a.test/"],
      "--frontier shares a crawl: give --crawl, --follow or --recipe too",
    ],
    [
      ["--frontier", "http://127.0.0.1:1/", "--job", "x", "--crawl", "https://a.test/"],
      "--frontier must be a redis:// or rediss:// URL, got `http://127.0.0.1:1/`",
    ],
    [["--frontier", "redis://127.0.0.1:1/0", "--job", "a/b", "--crawl", "https://a.test/"], "--job must be a name of 1 to 128 letters"],
    [
      ["--frontier", "redis://127.0.0.1:1/0", "--job", "x", "--lease", "soon", "--crawl", "https://a.test/"],
      "--lease must be a duration of at least 1s, such as 30s or 2m, got `soon`",
    ],
    [
      ["--status", "--frontier", "redis://127.0.0.1:1/0", "--job", "x", "https://a.test/"],
      "--status reads the job in Redis and fetches nothing: it takes no URL arguments",
    ],
    [
      ["--export", "out.ndjson", "--frontier", "redis://127.0.0.1:1/0", "--job", "x", "-i", "urls.txt"],
      "--export reads the job in Redis and fetches nothing: it takes no --input",
    ],
    [["--status", "--frontier", "redis://127.0.0.1:1/0"], "--status needs --frontier <redis-url> and --job <name>"],
    [
      ["--status", "--export", "x.ndjson", "--frontier", "redis://127.0.0.1:1/0", "--job", "x"],
      "--status and --export are two commands: give one",
    ],
    [["--keep", "--status", "--frontier", "redis://127.0.0.1:1/0", "--job", "x"], "--keep needs --export"],
    [["--keep", "https://a.test/"], "--keep needs --export"],
  ])("trawl %j: exit 2, one line", async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.startsWith(`trawl: ${message}`)).toBe(true);
    expect(result.stderr.split("\n")).toHaveLength(2);
  });

  it("--export to a folder that does not exist: exit 2, one line naming the file", async () => {
    const tree = await site(2);
    const job = newJob();
    expect((await runCli([...worker(job), tree.root])).code).toBe(0);
    const target = file("missing/out.ndjson");
    const result = await runCli(["--export", target, ...fleet(job)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`trawl: --export ${target}: cannot write it (ENOENT)\n`);
    expect(existsSync(target)).toBe(false);
  });

  it("--help lists the fleet's flags", async () => {
    const { stdout } = await runCli(["--help"]);
    for (const flag of ["--frontier <redis-url>", "--job <name>", "--lease <duration>", "--export <file>", "--keep", "--status"]) {
      expect(stdout).toContain(flag);
    }
  });

  it("a run without --frontier loads no Redis client", async () => {
    const tree = await site(2);
    const trace = fileURLToPath(new URL("../helpers/trace-imports.mjs", import.meta.url));
    writeFileSync(file("seed.txt"), `${tree.root}\n`);
    const result = await collect(spawnNode(["--import", trace, binPath, "-q", "--crawl", "-i", file("seed.txt")]));
    expect(result.code).toBe(0);
    expect(parseRecords(result.stdout)).toHaveLength(2);
    expect(result.stderr).toContain("import-trace");
    expect(result.stderr).not.toMatch(/node_modules\/@redis\/|crawl\/shared\//);
  });
});
