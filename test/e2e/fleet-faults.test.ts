/**
 * A fleet of `trawl --frontier` processes under real faults, the slow loops in one file: workers
 * killed with kill -9 mid-crawl and replaced, a worker frozen (SIGSTOP) past its lease and thawed,
 * Redis killed and restarted from its append-only file. After each, the export holds every page of
 * the site exactly once, and no page is in two workers' `-o` files.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "@redis/client";
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { exportJob, jobStatus } from "../../src/index.js";
import { type CliResult, collect, spawnCli } from "../helpers/cli.js";
import { type RedisTestServer, startRedisServer } from "../helpers/redis-server.js";
import { waitFor } from "../helpers/wait.js";
import { duplicates, type TreeSite, useTreeSites } from "./fleet-site.js";

let redis: RedisTestServer;
let dir: string;
const children: ChildProcess[] = [];
let jobCount = 0;

beforeAll(async () => {
  // Every acknowledged write on disk before the reply: a restarted Redis has all of them.
  redis = await startRedisServer({ appendOnly: true, appendFsync: "always" });
  dir = mkdtempSync(path.join(tmpdir(), "trawl-fleet-faults-"));
});

// Registered first, so that its closing of the sites runs after the children below are killed
// (vitest runs after-hooks in reverse order): a stopped worker could hold a connection open.
const site = useTreeSites();

afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill("SIGCONT");
    child.kill("SIGKILL");
  }
});

afterAll(async () => {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Worker {
  name: string;
  output: string;
  child: ChildProcess;
  done: Promise<CliResult>;
}

/** Starts one worker of `job` on the site's root, writing to its own `-o` file. */
function startWorker(job: string, name: string, tree: TreeSite, extra: string[] = []): Worker {
  const output = path.join(dir, `${job}-${name}.ndjson`);
  const args = ["--frontier", redis.url, "--job", job, "--crawl", "--depth", "30", "-c", "2", "--per-host", "8", "-q"];
  const child = spawnCli([...args, "--lease", "1s", "-A", `trawl-test ${name}`, "-o", output, ...extra, tree.root]);
  children.push(child);
  return { name, output, child, done: collect(child, 80_000) };
}

/** The URLs of a worker's `-o` file; a line cut by kill -9 is no record. */
function urlsOf(worker: Worker): string[] {
  const urls: string[] = [];
  for (const line of readFileSync(worker.output, "utf8").split("\n")) {
    try {
      urls.push((JSON.parse(line) as { url: string }).url);
    } catch {
      // the torn last line of a killed worker, or the empty one after the last newline
    }
  }
  return urls;
}

/** Pages committed so far (0 while Redis is away). */
async function committed(job: string): Promise<number> {
  return (await jobStatus({ url: redis.url, job }).catch(() => ({ committed: 0 }))).committed;
}

/**
 * Exports the job and checks what the fleet left: the export holds every page of the site once,
 * no page is in two workers' files, and each worker's lines are lines of the export.
 */
async function checkExactlyOnce(job: string, tree: TreeSite, workers: Worker[]): Promise<{ exported: string[]; written: string[] }> {
  const file = path.join(dir, `${job}.ndjson`);
  const result = await exportJob({ url: redis.url, job, file });
  expect(result.complete).toBe(true);
  const exported = readFileSync(file, "utf8").split("\n").filter(Boolean);
  const exportedUrls = exported.map((line) => (JSON.parse(line) as { url: string }).url);
  expect(duplicates(exportedUrls)).toEqual([]);
  expect(new Set(exportedUrls)).toEqual(new Set(tree.urls));
  const written = workers.flatMap(urlsOf);
  expect(duplicates(written)).toEqual([]);
  const lines = new Set(exported);
  for (const worker of workers) {
    for (const line of readFileSync(worker.output, "utf8").split("\n")) {
      if (line.endsWith("}")) expect(lines.has(line), `${worker.name}: ${line.slice(0, 80)}`).toBe(true);
    }
  }
  return { exported: exportedUrls, written };
}

describe("a fleet under faults", () => {
  it("kill -9 of workers mid-crawl, four times among three: the export holds the site once, no page in two -o files", async () => {
    const tree = await site(400, 30);
    const job = `kills-${++jobCount}`;
    const started = performance.now();
    const workers = ["w1", "w2", "w3"].map((name) => startWorker(job, name, tree));
    const live = [...workers];
    let kills = 0;
    for (const threshold of [40, 110, 180, 250]) {
      await waitFor(async () => ((await committed(job)) >= threshold ? true : undefined), `${threshold} pages committed`, {
        timeoutMs: 40_000,
        everyMs: 50,
      });
      const victim = live.shift() as Worker;
      victim.child.kill("SIGKILL");
      kills++;
      const replacement = startWorker(job, `w${workers.length + 1}`, tree);
      workers.push(replacement);
      live.push(replacement);
    }
    const results = await Promise.all(live.map((worker) => worker.done));
    expect(results.map((result) => [result.code, result.stderr])).toEqual(live.map(() => [0, ""]));
    const status = await jobStatus({ url: redis.url, job });
    // The killed workers' claims came back to the queue when their leases ran out.
    expect(status.reclaimed).toBeGreaterThan(0);
    expect(status).toMatchObject({ committed: 400, queued: 0, claimed: 0, workersSeen: 3 + kills });
    const { written } = await checkExactlyOnce(job, tree, workers);
    // The survivors' files miss only what the killed ones had committed and not yet written.
    expect(written.length).toBeLessThanOrEqual(400);
    console.log(
      `kill -9: ${kills} kills among 3 workers, 400 pages, ${status.reclaimed} claims reclaimed, ${Math.round(performance.now() - started)} ms`,
    );
  }, 80_000);

  it("a worker frozen (SIGSTOP) past its lease and thawed: its stale commits are refused, nothing doubles", async () => {
    const tree = await site(80, 40);
    const job = `frozen-${++jobCount}`;
    const raw = createClient({ url: redis.url, RESP: 2 });
    await raw.connect();
    onTestFinished(() => raw.close());
    const frozen = startWorker(job, "frozen", tree);
    const other = startWorker(job, "other", tree);
    await waitFor(async () => ((await committed(job)) >= 10 ? true : undefined), "10 pages committed", { timeoutMs: 20_000, everyMs: 25 });
    // The frozen worker's next answers are held back: the pages it has in flight when it stops.
    tree.hold("trawl-test frozen");
    const inFlight = await waitFor(() => (tree.held().length >= 2 ? tree.held() : undefined), "two held requests", { timeoutMs: 10_000 });
    frozen.child.kill("SIGSTOP");
    // Its leases run out (1 s); the other worker takes those pages back and commits them.
    const stream = async () => {
      const entries = (await raw.sendCommand(["XRANGE", `trawl:{${job}}:records`, "-", "+"])) as [string, string[]][];
      return entries.map(([, fields]) => fields[1]).join("\n");
    };
    await waitFor(
      async () => {
        const text = await stream();
        return inFlight.every((pagePath) => text.includes(`"url":"${tree.server.url}${pagePath}"`)) ? true : undefined;
      },
      "the frozen worker's pages committed by the other",
      { timeoutMs: 20_000, everyMs: 200 },
    );
    frozen.child.kill("SIGCONT");
    tree.release();
    const [a, b] = await Promise.all([frozen.done, other.done]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const frozenUrls = new Set(urlsOf(frozen));
    const otherUrls = new Set(urlsOf(other));
    for (const pagePath of inFlight) {
      expect(frozenUrls.has(`${tree.server.url}${pagePath}`), pagePath).toBe(false);
      expect(otherUrls.has(`${tree.server.url}${pagePath}`), pagePath).toBe(true);
    }
    expect((await jobStatus({ url: redis.url, job })).reclaimed).toBeGreaterThanOrEqual(inFlight.length);
    await checkExactlyOnce(job, tree, [frozen, other]);
  }, 60_000);

  it("Redis killed and restarted from its append-only file mid-crawl: workers wait and carry on, nothing lost", async () => {
    const tree = await site(200, 20);
    const job = `restart-${++jobCount}`;
    const workers = [startWorker(job, "r1", tree), startWorker(job, "r2", tree)];
    await waitFor(async () => ((await committed(job)) >= 40 ? true : undefined), "40 pages committed", { timeoutMs: 20_000, everyMs: 25 });
    await redis.kill();
    await sleep(1500);
    await redis.start();
    const results = await Promise.all(workers.map((worker) => worker.done));
    expect(results.map((result) => [result.code, result.stderr])).toEqual([
      [0, ""],
      [0, ""],
    ]);
    const { exported, written } = await checkExactlyOnce(job, tree, workers);
    // No worker died: every committed record is also in its worker's file.
    expect(new Set(written)).toEqual(new Set(exported));
  }, 60_000);
});
