// Redis memory of the shared frontier's seen-set (SPEC §11): adds N URL hashes the way the frontier
// does (JobKeys.seen: 2^16 intset buckets keyed by the hash's top 16 bits) to a private redis-server,
// in batches (one script call of SADDs per batch, as the frontier's offer and commit do), and reads
// INFO memory before and after. Not part of `npm test`.
//
//   npm run build && node test/bench/redis-seen-memory.mjs [--count 1000000] [--batch 10000]
//
// Prints one JSON line: {urls, usedBytes, bytesPerUrl, mbPerMillion, keys, encodings, elapsedMs}.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { createClient } from "@redis/client";
import { JobKeys } from "../../dist/crawl/shared/job-keys.js";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "1000000" },
    batch: { type: "string", default: "10000" },
  },
});
const count = Number(values.count);
const batch = Number(values.batch);

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const port = await freePort();
const dir = mkdtempSync(path.join(tmpdir(), "trawl-redis-bench-"));
const server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"], {
  stdio: "ignore",
});
const client = createClient({ url: `redis://127.0.0.1:${port}/0`, RESP: 2 });
client.on("error", () => {});
try {
  for (let tries = 0; ; tries++) {
    try {
      await client.connect();
      break;
    } catch (error) {
      if (tries > 100) throw error;
      await sleep(50);
    }
  }
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await client.sendCommand(["INFO", "memory"]))[1]);
  const keys = new JobKeys("bench");
  const before = await usedMemory();
  const started = performance.now();
  const script = "for i = 1, #KEYS do redis.call('SADD', KEYS[i], ARGV[i]) end return #KEYS";
  const sent = [];
  for (let start = 0; start < count; start += batch) {
    const buckets = [];
    const members = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const { key, member } = keys.seen(`https://host${i % 1009}.example/section/${i % 97}/page-${i}.html`);
      buckets.push(key);
      members.push(member);
    }
    // Pipelined: a few batches in flight at once.
    sent.push(client.sendCommand(["EVAL", script, String(buckets.length), ...buckets, ...members]));
    if (sent.length >= 4) await sent.shift();
  }
  await Promise.all(sent);
  const elapsedMs = Math.round(performance.now() - started);
  const usedBytes = (await usedMemory()) - before;
  // The buckets' encodings, from a sample: intset is the compact one; hashtable means a bucket outgrew
  // set-max-intset-entries.
  const encodings = {};
  for (let bucket = 0; bucket < 65536; bucket += 257) {
    const encoding = await client.sendCommand(["OBJECT", "ENCODING", `${keys.prefix}seen:${bucket}`]);
    encodings[encoding] = (encodings[encoding] ?? 0) + 1;
  }
  const result = {
    urls: count,
    usedBytes,
    bytesPerUrl: Math.round((usedBytes / count) * 10) / 10,
    mbPerMillion: Math.round((((usedBytes / count) * 1e6) / 2 ** 20) * 10) / 10,
    keys: Number(await client.sendCommand(["DBSIZE"])),
    encodings,
    elapsedMs,
  };
  console.log(JSON.stringify(result));
} finally {
  await client.close().catch(() => {});
  server.kill("SIGTERM");
  await new Promise((resolve) => server.once("exit", resolve));
  rmSync(dir, { recursive: true, force: true });
}
