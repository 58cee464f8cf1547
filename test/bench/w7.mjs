// W7: C1's generated site crawled by a fleet of `trawl --frontier` workers on this machine through one private
// redis-server (SPEC §11), at 1, 2 and 4 workers, against the single-process crawl of the same site. Per run:
// pages/s (the whole fleet, first start to last exit), CPU and peak RSS of every worker, Redis's own CPU and
// memory, and the exported records checked page by page (every page once). Reports CPU per page against the
// single process (goal ≤ 1.5×) and Redis memory per 1,000,000 seen URLs (goal ≤ 64 MB).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "@redis/client";
import { runMeasured, running, tempPath } from "./measure.mjs";
import { sitePath } from "./page.mjs";
import { checkCrawlRecords } from "./records.mjs";
import { killGroup } from "./server.mjs";

const ROOT = resolve(import.meta.dirname, "../..");
const TRAWL = join(ROOT, "bin/trawl.js");
// The fleet's requests in flight over all workers, as C1's single process has.
const TOTAL_CONCURRENCY = 64;
export const W7_WORKERS = [1, 2, 4];

async function freePort() {
  const server = net.createServer();
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

/** A private redis-server (own port and folder, no persistence), and a client on it. */
async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "trawl-bench-redis-"));
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"], {
    detached: true,
    stdio: "ignore",
  });
  running.add(child);
  const failed = new Promise((_, reject) =>
    child.once("error", (error) => reject(new Error(`cannot start redis-server: ${error.message}`))),
  );
  const url = `redis://127.0.0.1:${port}/0`;
  const client = createClient({ url, RESP: 2 });
  client.on("error", () => {});
  for (let tries = 0; ; tries++) {
    try {
      await Promise.race([client.connect(), failed]);
      break;
    } catch (error) {
      if (tries > 100 || /cannot start/.test(error.message)) throw error;
      await sleep(50);
    }
  }
  const info = async (section) =>
    Object.fromEntries(
      (await client.sendCommand(["INFO", section]))
        .split("\r\n")
        .filter((line) => line.includes(":"))
        .map((line) => line.split(":")),
    );
  return {
    url,
    client,
    usedMemory: async () => Number((await info("memory")).used_memory),
    cpuSeconds: async () => {
      const cpu = await info("cpu");
      return Number(cpu.used_cpu_user) + Number(cpu.used_cpu_sys);
    },
    async stop() {
      await client.quit().catch(() => {});
      await killGroup(child);
      running.delete(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Bytes Redis holds for the job's seen-set: MEMORY USAGE of every bucket (2^16 SETs), pipelined. */
async function seenSetBytes(client, job) {
  const keys = [];
  let cursor = "0";
  do {
    const [next, found] = await client.sendCommand(["SCAN", cursor, "MATCH", `trawl:{${job}}:seen:*`, "COUNT", "5000"]);
    cursor = next;
    keys.push(...found);
  } while (cursor !== "0");
  let bytes = 0;
  for (let start = 0; start < keys.length; start += 2000) {
    const sizes = await Promise.all(
      keys.slice(start, start + 2000).map((key) => client.sendCommand(["MEMORY", "USAGE", key, "SAMPLES", "0"])),
    );
    bytes += sizes.reduce((sum, size) => sum + Number(size), 0);
  }
  return { bytes, buckets: keys.length };
}

/**
 * Runs W7 on the page server at `origin` (C1's site of `pages` pages). `baseline` is C1's single-process row
 * when this bench run measured one; else W7 measures its own. Returns the figures; rows go to `add`.
 */
export async function runW7({ origin, pages, add, log, baseline = null, server }) {
  const root = `${origin}${sitePath(pages, 0)}`;
  const prefix = `${origin}${sitePath(pages)}`;
  const crawlArgs = ["--crawl", "--depth", "12", "--max-pages", String(pages), "-q"];
  const timeoutMs = Math.max(120, pages / 50) * 1000;
  let single = baseline;
  if (!single) {
    log(`W7 single process: ${pages.toLocaleString("en-US")} pages…`);
    const output = tempPath("W7-single.ndjson");
    const cpuBefore = server.cpuSeconds();
    const result = await runMeasured({ args: [TRAWL, ...crawlArgs, "-c", String(TOTAL_CONCURRENCY), root], stdoutFile: output, timeoutMs });
    const check = await checkCrawlRecords(output, prefix, pages);
    rmSync(output, { force: true });
    single = row("1 process", check.records, check.ok, result, server.cpuSeconds() - cpuBefore);
    add(single);
  }
  const redis = await startRedis();
  const fleets = [];
  try {
    for (const workers of W7_WORKERS) {
      await redis.client.sendCommand(["FLUSHALL"]);
      const job = `w7-${workers}`;
      const memoryBefore = await redis.usedMemory();
      const redisCpuBefore = await redis.cpuSeconds();
      const serverCpuBefore = server.cpuSeconds();
      log(`W7 ${workers} worker(s): ${pages.toLocaleString("en-US")} pages through ${redis.url}…`);
      const outputs = Array.from({ length: workers }, (_, i) => tempPath(`W7-${workers}-${i}.ndjson`));
      const fleetArgs = [
        "--frontier",
        redis.url,
        "--job",
        job,
        "--per-host",
        String(TOTAL_CONCURRENCY),
        "-c",
        String(TOTAL_CONCURRENCY / workers),
      ];
      const started = performance.now();
      const results = await Promise.all(
        outputs.map((output) => runMeasured({ args: [TRAWL, ...fleetArgs, ...crawlArgs, root], stdoutFile: output, timeoutMs })),
      );
      const wallSeconds = (performance.now() - started) / 1000;
      const redisCpuSeconds = (await redis.cpuSeconds()) - redisCpuBefore;
      const memoryAfter = await redis.usedMemory();
      const seen = await seenSetBytes(redis.client, job);
      const [offered] = await redis.client.sendCommand(["HMGET", `trawl:{${job}}:counts`, "offered"]);
      // The records each worker wrote, together: every page once (no page in two workers' files).
      const union = tempPath(`W7-${workers}-union.ndjson`);
      execFileSync("sh", ["-c", `cat "$@" > "${union}"`, "cat", ...outputs]);
      const written = await checkCrawlRecords(union, prefix, pages);
      const exportFile = tempPath(`W7-${workers}-export.ndjson`);
      const exported = await runMeasured({ args: [TRAWL, "--frontier", redis.url, "--job", job, "--export", exportFile, "-q"], timeoutMs });
      const check = await checkCrawlRecords(exportFile, prefix, pages);
      for (const file of [...outputs, union, exportFile]) rmSync(file, { force: true });
      const fleetRow = {
        ...row(
          `${workers} worker${workers > 1 ? "s" : ""}`,
          check.records,
          check.ok,
          { wallSeconds, exitCode: results.find((r) => r.exitCode !== 0)?.exitCode ?? 0, timedOut: results.some((r) => r.timedOut) },
          server.cpuSeconds() - serverCpuBefore,
        ),
        cpuSeconds: results.reduce((sum, r) => sum + r.cpuSeconds, 0),
        peakRssMB: Math.max(...results.map((r) => r.peakRssMB)),
      };
      add(fleetRow);
      fleets.push({
        workers,
        row: fleetRow,
        workerPeakRssMB: results.map((r) => Math.round(r.peakRssMB)),
        redisCpuSeconds,
        redisMemoryBytes: memoryAfter - memoryBefore,
        seenUrls: Number(offered),
        seenSetBytes: seen.bytes,
        seenBuckets: seen.buckets,
        exportSeconds: exported.wallSeconds,
        exportExit: exported.exitCode,
        check,
        written,
      });
    }
  } finally {
    await redis.stop();
  }
  return { pages, single, fleets };
}

function row(runner, records, ok, result, serverCpuSeconds) {
  return {
    workload: "W7",
    runner,
    urls: records,
    ok,
    records,
    wallSeconds: result.wallSeconds,
    urlsPerSecond: records / result.wallSeconds,
    cpuSeconds: result.cpuSeconds,
    peakRssMB: result.peakRssMB,
    serverCpuSeconds,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
  };
}

/** W7 in a few lines: per fleet size, speed, CPU per page against the single process, memory, checks. */
export function w7Text({ pages, single, fleets }) {
  const count = (value) => value.toLocaleString("en-US");
  const singleCpuPerPage = single.cpuSeconds / single.records;
  const lines = [`W7 fleet over C1's site of ${count(pages)} pages (${TOTAL_CONCURRENCY} requests in flight over the fleet):`];
  lines.push(
    `  1 process: ${single.urlsPerSecond.toFixed(0)} pages/s, ${(singleCpuPerPage * 1e6).toFixed(0)} µs CPU per page, peak RSS ${single.peakRssMB.toFixed(0)} MB`,
  );
  for (const fleet of fleets) {
    const cpuPerPage = fleet.row.cpuSeconds / fleet.check.records;
    const mbPerMillion = ((fleet.seenSetBytes / fleet.seenUrls) * 1e6) / 2 ** 20;
    const totalMbPerMillion = ((fleet.redisMemoryBytes / fleet.seenUrls) * 1e6) / 2 ** 20;
    lines.push(
      `  ${fleet.workers} worker(s): ${fleet.row.urlsPerSecond.toFixed(0)} pages/s; workers' CPU ${(cpuPerPage * 1e6).toFixed(0)} µs per page ` +
        `(${(cpuPerPage / singleCpuPerPage).toFixed(2)} × the single process; goal ≤ 1.5 ×), Redis CPU ${((fleet.redisCpuSeconds / fleet.check.records) * 1e6).toFixed(0)} µs per page; ` +
        `peak RSS per worker ${fleet.workerPeakRssMB.join(", ")} MB`,
    );
    lines.push(
      `    Redis memory after the crawl ${(fleet.redisMemoryBytes / 2 ** 20).toFixed(1)} MB (records stream included; ${totalMbPerMillion.toFixed(0)} MB per 1,000,000 seen URLs), ` +
        `seen-set ${(fleet.seenSetBytes / 2 ** 20).toFixed(2)} MB for ${count(fleet.seenUrls)} URLs in ${count(fleet.seenBuckets)} buckets = ${mbPerMillion.toFixed(1)} MB per 1,000,000 seen URLs (goal ≤ 64 MB)`,
    );
    const verdict = (check) =>
      `${check.exact ? "exact" : "NOT EXACT"} (${count(check.distinct)} distinct, ${count(check.duplicates)} twice, ${count(check.missing)} missing, ${count(check.stray)} stray)`;
    lines.push(
      `    export (${fleet.exportSeconds.toFixed(1)} s): ${verdict(fleet.check)}; workers' -o files together: ${verdict(fleet.written)}`,
    );
  }
  return lines.join("\n");
}
