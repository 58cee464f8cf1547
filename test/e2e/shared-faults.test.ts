/**
 * The shared frontier under faults, each one real: a worker process killed with SIGKILL, an
 * exporter process killed with SIGKILL between its write and its mark, and Redis itself killed and
 * restarted from its append-only file while workers and an exporter run. The child processes use
 * the built module (dist/), as the CLI will.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { exportRecords, type QueueEntry, SharedFrontier } from "../../src/crawl/shared/index.js";
import { repoRoot } from "../helpers/cli.js";
import { type RedisTestServer, startRedisServer } from "../helpers/redis-server.js";

const moduleUrl = pathToFileURL(path.join(repoRoot, "dist/crawl/shared/index.js")).href;

let redis: RedisTestServer;
let dir: string;
let jobCount = 0;
const open: SharedFrontier[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startRedisServer({ appendOnly: true, appendFsync: "always" });
  dir = mkdtempSync(path.join(tmpdir(), "trawl-faults-"));
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await Promise.all(open.splice(0).map((frontier) => frontier.close().catch(() => {})));
});

afterAll(async () => {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

function newJob(): string {
  return `faults-${++jobCount}`;
}

async function worker(job: string, leaseMs = 60_000): Promise<SharedFrontier> {
  const frontier = await SharedFrontier.open({ url: redis.url, job, config: { site: "graph" }, leaseMs });
  open.push(frontier);
  return frontier;
}

/** Runs `code` (an ES module body; `shared` is the built module) in a child node process. */
function child(
  code: string,
  env: Record<string, string>,
): { process: ChildProcess; output: Promise<string>; line: (text: string) => Promise<void> } {
  const source = `const shared = await import(${JSON.stringify(moduleUrl)});\n${code}`;
  const started = spawn(process.execPath, ["--input-type=module", "-e", source], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(started);
  let stdout = "";
  let stderr = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  started.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const waiter of waiters) if (stdout.includes(waiter.text)) waiter.resolve();
  });
  started.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const output = new Promise<string>((resolve) => started.on("exit", () => resolve(stdout + stderr)));
  const line = (text: string) =>
    new Promise<void>((resolve, reject) => {
      if (stdout.includes(text)) resolve();
      else waiters.push({ text, resolve });
      output.then((all) => reject(new Error(`child exited before printing ${text}: ${all}`)));
    });
  return { process: started, output, line };
}

/** A site of `size` pages where page i links to 2i+1 and 2i+2 (a binary tree), and back to 0. */
function linksOf(url: string, size: number): QueueEntry[] {
  const i = Number(url.split("/").pop());
  return [2 * i + 1, 2 * i + 2, 0]
    .filter((next) => next < size)
    .map((next) => ({ url: `https://site.test/${next}`, depth: 1, parent: url }));
}

/** A worker's loop: claim, "fetch", commit with links, until the crawl is done. */
async function crawl(frontier: SharedFrontier, size: number): Promise<number> {
  let committed = 0;
  for await (const claim of frontier.claims({ batchSize: 3 })) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    const json = JSON.stringify({ url: claim.entry.url, ok: true });
    if (await frontier.commit(claim, { json, ok: true }, linksOf(claim.entry.url, size))) committed++;
  }
  return committed;
}

function lines(file: string): string[] {
  return readFileSync(file, "utf8").split("\n").filter(Boolean);
}

function expectEachPageOnce(file: string, size: number): void {
  const urls = lines(file).map((line) => (JSON.parse(line) as { url: string }).url);
  expect(urls).toHaveLength(size);
  expect(new Set(urls)).toEqual(new Set(Array.from({ length: size }, (_, i) => `https://site.test/${i}`)));
}

describe("shared frontier faults", () => {
  it("a worker killed with kill -9 loses nothing: its claims return after the lease", async () => {
    const job = newJob();
    const survivor = await worker(job, 5000);
    await survivor.offer(Array.from({ length: 8 }, (_, i) => ({ url: `https://site.test/${i}`, depth: 0, parent: null })));
    const doomed = child(
      `const f = await shared.SharedFrontier.open({ url: process.env.REDIS, job: process.env.JOB, config: { site: "graph" }, leaseMs: 600 });
       const claims = await f.claim(5);
       console.log("claimed " + claims.length);
       setInterval(() => {}, 1000);`,
      { REDIS: redis.url, JOB: job },
    );
    await doomed.line("claimed 5");
    // Alive, it renews: its claims stay out past the lease.
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(await survivor.claim(8)).toHaveLength(3);
    doomed.process.kill("SIGKILL");
    await doomed.output;
    await new Promise((resolve) => setTimeout(resolve, 700));
    const back = await survivor.claim(8);
    expect(back).toHaveLength(5);
    expect((await survivor.status()).reclaimed).toBe(5);
  }, 30_000);

  it("export is exactly once when the exporter is killed with kill -9 between its write and its mark", async () => {
    const job = newJob();
    const size = 60;
    const frontier = await worker(job);
    await frontier.offer([{ url: "https://site.test/0", depth: 0, parent: null }]);
    await crawl(frontier, size);
    const file = path.join(dir, `${job}.ndjson`);
    // Killed by its own hand right after round 3 reached the disk: 30 lines written, 20 marked.
    const killed = child(
      `await shared.exportRecords({ url: process.env.REDIS, job: process.env.JOB, file: process.env.FILE, batchSize: 10, lockMs: 300,
         onWritten: ({ written }) => { if (written >= 30) process.kill(process.pid, "SIGKILL"); } });
       console.log("finished");`,
      { REDIS: redis.url, JOB: job, FILE: file },
    );
    expect(await killed.output).not.toContain("finished");
    expect(killed.process.signalCode).toBe("SIGKILL");
    expect(lines(file)).toHaveLength(30);
    // Then killed from outside, three times, each run picking up where the last one left off: a
    // round reports itself once on disk and lingers 50 ms before its mark, so the kill lands there.
    for (const round of [1, 3, 2]) {
      const exporter = child(
        `await shared.exportRecords({ url: process.env.REDIS, job: process.env.JOB, file: process.env.FILE, batchSize: 2, lockMs: 300, keep: true,
           onWritten: ({ written }) => {
             console.log("round " + written / 2);
             Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
           } });`,
        { REDIS: redis.url, JOB: job, FILE: file },
      );
      await exporter.line(`round ${round}`);
      exporter.process.kill("SIGKILL");
      await exporter.output;
      expect(exporter.process.signalCode).toBe("SIGKILL");
    }
    expect(lines(file).length).toBeLessThan(size);
    const result = await exportRecords({ url: redis.url, job, file, lockMs: 300 });
    expect(result).toMatchObject({ complete: true, removed: true });
    expectEachPageOnce(file, size);
  }, 30_000);

  it("workers and an exporter carry on through a Redis killed and restarted from its append-only file", async () => {
    const job = newJob();
    const size = 150;
    const a = await worker(job, 2000);
    const b = await worker(job, 2000);
    await a.offer([{ url: "https://site.test/0", depth: 0, parent: null }]);
    const file = path.join(dir, `${job}.ndjson`);
    const exporting = exportRecords({ url: redis.url, job, file, follow: true, maxPollMs: 50, batchSize: 10 });
    const crawling = Promise.all([crawl(a, size), crawl(b, size)]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const before = await a.status();
    expect(before.committed).toBeGreaterThan(0);
    expect(before.committed).toBeLessThan(size);
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await redis.start();
    const [committedA, committedB] = await crawling;
    // A commit whose reply the kill lost may be counted by neither worker, never by both.
    expect(committedA + committedB).toBeLessThanOrEqual(size);
    expect(await exporting).toEqual({ written: size, complete: true, removed: true });
    expectEachPageOnce(file, size);
  }, 30_000);

  it("an operation waits for a frozen Redis (SIGSTOP) and completes when it wakes", async () => {
    const job = newJob();
    const frontier = await worker(job);
    await frontier.offer([{ url: "https://site.test/0", depth: 0, parent: null }]);
    redis.pause();
    const started = Date.now();
    const claiming = frontier.claim(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    redis.resume();
    const [claim] = await claiming;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(claim?.entry.url).toBe("https://site.test/0");
  });
});
