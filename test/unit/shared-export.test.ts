import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient } from "@redis/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { exportRecords, jobStatus, SharedFrontier } from "../../src/crawl/shared/index.js";
import { type RedisTestServer, startRedisServer } from "../helpers/redis-server.js";

let redis: RedisTestServer;
let raw: ReturnType<typeof createClient>;
let dir: string;
let jobCount = 0;
const open: SharedFrontier[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  raw = createClient({ url: redis.url, RESP: 2 });
  await raw.connect();
  dir = mkdtempSync(path.join(tmpdir(), "trawl-export-"));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((frontier) => frontier.close().catch(() => {})));
});

afterAll(async () => {
  await raw.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

function newJob(): string {
  return `export-${++jobCount}`;
}

async function worker(job: string): Promise<SharedFrontier> {
  const frontier = await SharedFrontier.open({ url: redis.url, job, config: {} });
  open.push(frontier);
  return frontier;
}

/** Crawls `count` pages of a chain (page i links to page i+1), committing each; stops early at `upTo`. */
async function crawlChain(frontier: SharedFrontier, count: number, upTo = count): Promise<void> {
  if ((await frontier.status()).offered === 0) await frontier.offer([{ url: "https://x.test/0", depth: 0, parent: null }]);
  for (let done = (await frontier.status()).committed; done < upTo; done++) {
    const [claim] = await frontier.claim(1);
    const i = Number(claim!.entry.url.split("/").pop());
    const links = i + 1 < count ? [{ url: `https://x.test/${i + 1}`, depth: i + 1, parent: claim!.entry.url }] : [];
    expect(
      await frontier.commit(claim!, { json: JSON.stringify({ url: claim!.entry.url, ok: i % 7 !== 3 }), ok: i % 7 !== 3 }, links),
    ).toBe(true);
  }
}

function fileUrls(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { url: string }).url);
}

function expectOnce(file: string, count: number): void {
  const urls = fileUrls(file);
  expect(urls).toHaveLength(count);
  expect(new Set(urls).size).toBe(count);
}

async function jobKeys(job: string): Promise<string[]> {
  return (await raw.sendCommand(["KEYS", `trawl:{${job}}:*`])) as string[];
}

describe("export of committed records", () => {
  it("writes every record once, reports complete, and removes the job's keys but no other job's", async () => {
    const job = newJob();
    const other = newJob();
    await crawlChain(await worker(job), 30);
    await crawlChain(await worker(other), 3);
    for (const frontier of open.splice(0)) await frontier.close();
    const file = path.join(dir, `${job}.ndjson`);
    const result = await exportRecords({ url: redis.url, job, file, batchSize: 7 });
    expect(result).toEqual({ written: 30, complete: true, removed: true });
    expectOnce(file, 30);
    expect(await jobKeys(job)).toEqual([]);
    expect((await jobStatus({ url: redis.url, job: other })).committed).toBe(3);
    await expect(exportRecords({ url: redis.url, job, file })).rejects.toThrow(UsageError);
  });

  it("exports during the crawl, trims what it wrote from Redis, and continues where it stopped", async () => {
    const job = newJob();
    const frontier = await worker(job);
    await crawlChain(frontier, 20, 8);
    const file = path.join(dir, `${job}.ndjson`);
    expect(await exportRecords({ url: redis.url, job, file })).toEqual({ written: 8, complete: false, removed: false });
    expect(await raw.sendCommand(["XLEN", `trawl:{${job}}:records`])).toBe(0);
    expect((await frontier.status()).unexported).toBe(0);
    await crawlChain(frontier, 20, 15);
    expect((await exportRecords({ url: redis.url, job, file, keep: true })).written).toBe(7);
    await crawlChain(frontier, 20);
    expect(await exportRecords({ url: redis.url, job, file, keep: true })).toEqual({ written: 5, complete: true, removed: false });
    expectOnce(file, 20);
    expect((await jobStatus({ url: redis.url, job })).committed).toBe(20);
    // Kept keys: a second complete export writes nothing more.
    expect(await exportRecords({ url: redis.url, job, file })).toEqual({ written: 0, complete: true, removed: true });
    expectOnce(file, 20);
  });

  it("follows a crawl in progress until it is done", async () => {
    const job = newJob();
    const frontier = await worker(job);
    await crawlChain(frontier, 12, 2);
    const file = path.join(dir, `${job}.ndjson`);
    const following = exportRecords({ url: redis.url, job, file, follow: true, maxPollMs: 30 });
    await crawlChain(frontier, 12);
    expect(await following).toEqual({ written: 12, complete: true, removed: true });
    expectOnce(file, 12);
  });

  it("skips on resume the lines written after the last marked round, and cuts a torn last line", async () => {
    const job = newJob();
    await crawlChain(await worker(job), 25);
    const file = path.join(dir, `${job}.ndjson`);
    // A crash after round 2 reached the disk and before Redis marked it.
    const crash = await exportRecords({
      url: redis.url,
      job,
      file,
      batchSize: 5,
      onWritten: ({ written }) => {
        if (written >= 10) throw new Error("crash");
      },
    }).catch((error) => error);
    expect(crash.message).toBe("crash");
    expect(fileUrls(file)).toHaveLength(10);
    appendFileSync(file, '{"url":"https://x.test/torn"');
    const result = await exportRecords({ url: redis.url, job, file, batchSize: 5 });
    expect(result).toMatchObject({ written: 15, complete: true });
    expectOnce(file, 25);
    expect(readFileSync(file, "utf8").endsWith("}\n")).toBe(true);
  });

  it("refuses a file shorter than what the job already exported", async () => {
    const job = newJob();
    const frontier = await worker(job);
    await crawlChain(frontier, 10, 4);
    const file = path.join(dir, `${job}.ndjson`);
    await exportRecords({ url: redis.url, job, file });
    writeFileSync(file, "");
    const error = await exportRecords({ url: redis.url, job, file }).catch((e) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain("resume with that file");
  });

  it("lets one exporter run at a time", async () => {
    const job = newJob();
    const frontier = await worker(job);
    await crawlChain(frontier, 10, 2);
    const file = path.join(dir, `${job}.ndjson`);
    const controller = new AbortController();
    const following = exportRecords({ url: redis.url, job, file, follow: true, lockMs: 300, maxPollMs: 50, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await exportRecords({ url: redis.url, job, file: `${file}.2`, lockMs: 300 }).catch((e) => e);
    expect(second.message).toContain("is being exported by another process");
    controller.abort();
    expect(await following).toEqual({ written: 2, complete: false, removed: false });
  });
});
