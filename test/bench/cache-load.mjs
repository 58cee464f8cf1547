// How fast a large `--cache` file opens, and what it costs in memory (not part of `npm test`):
//
//   npm run build && node test/bench/cache-load.mjs [--entries N] [--keep]
//
// Writes a cache file of N entries (default 1,000,000; records of a typical page, with the frames
// `ResponseCache.store` writes), then, each in a child process of its own so the OS reports its
// RSS: opens it (load time, RSS after, peak RSS), revalidates and re-reads random entries, and
// rewrites it whole as compaction does.
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const ROOT = resolve(import.meta.dirname, "../..");
const DIST = join(ROOT, "dist");
const { values } = parseArgs({ options: { entries: { type: "string", default: "1000000" }, keep: { type: "boolean" } } });
const entries = Number(values.entries);
const urlOf = (i) => `https://shop.example.com/catalogue/product-${i}/index.html`;

/** Writes the cache file with the same frames `store` writes, a few MB per write. */
async function writeCacheFile(path) {
  const { encodeEntryPayload, encodeFrame, fileHeader, FrameKind } = await import(join(DIST, "cache/frame.js"));
  const { storablePolicy } = await import(join(DIST, "cache/validators.js"));
  const { hash64 } = await import(join(DIST, "urls/hash.js"));
  const template = storablePolicy(urlOf(0), 200, { etag: '"0"', "last-modified": "Tue, 03 Jun 2025 10:00:00 GMT" }, {});
  const nowSeconds = Math.floor(Date.now() / 1000);
  const fd = openSync(path, "w");
  let position = writeSync(fd, fileHeader(), 0, 16, 0);
  let batch = [];
  let batchBytes = 0;
  for (let i = 0; i < entries; i++) {
    const url = urlOf(i);
    const policy = { ...template, u: url, resh: { ...template.resh, etag: `"${i.toString(16)}-5f3a9c"` } };
    const record = {
      url,
      finalUrl: url,
      status: 200,
      ok: true,
      attempts: 1,
      ms: 84,
      bytes: 48213,
      contentType: "text/html; charset=utf-8",
      title: `Product ${i} | Books to Scrape - Sandbox`,
      data: { price: "£51.77", stock: "In stock (22 available)", upc: `a897fe39b1053${i}`, tags: ["Poetry", "Books"] },
      error: null,
    };
    const meta = JSON.stringify({ url, fingerprint: "sha256:9f86d081884c7d65", finalUrl: url, policy });
    const payload = encodeEntryPayload(meta, JSON.stringify({ record, links: null }));
    const [high, low] = hash64(url);
    const frame = encodeFrame(FrameKind.entry, high, low, nowSeconds, payload);
    batch.push(frame);
    batchBytes += frame.length;
    if (batchBytes > 8 * 1024 * 1024 || i === entries - 1) {
      const chunk = Buffer.concat(batch);
      position += writeSync(fd, chunk, 0, chunk.length, position);
      batch = [];
      batchBytes = 0;
    }
  }
  closeSync(fd);
}

// Each child prints one JSON line of figures.
const OPEN_CHILD = `
  const { ResponseCache } = await import(${JSON.stringify(join(DIST, "cache/index.js"))});
  const path = process.argv[1], entries = Number(process.argv[2]);
  const urlOf = (i) => "https://shop.example.com/catalogue/product-" + i + "/index.html";
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const { cache, warning } = ResponseCache.open(path);
  const loadMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const loadCpuMs = (cpu.user + cpu.system) / 1000;
  const rssAfterLoad = process.memoryUsage().rss;
  if (warning !== null || cache.size !== entries) throw new Error("bad load: " + warning + " " + cache.size);
  const lookups = 100000;
  let t = performance.now();
  for (let n = 0; n < lookups; n++) {
    const i = Math.floor(Math.random() * entries);
    if (cache.revalidation(urlOf(i), "sha256:9f86d081884c7d65") === null) throw new Error("miss " + i);
  }
  const revalidationUs = ((performance.now() - t) * 1000) / lookups;
  t = performance.now();
  for (let n = 0; n < lookups; n++) {
    const i = Math.floor(Math.random() * entries);
    const etag = '"' + i.toString(16) + '-5f3a9c"';
    if (cache.revalidated(urlOf(i), "sha256:9f86d081884c7d65", { etag })?.record.url !== urlOf(i)) throw new Error("hit " + i);
  }
  const revalidatedUs = ((performance.now() - t) * 1000) / lookups;
  cache.close();
  console.log(JSON.stringify({ loadMs, loadCpuMs, rssAfterLoad, maxRss: process.resourceUsage().maxRSS * 1024, revalidationUs, revalidatedUs }));
`;

const COMPACT_CHILD = `
  const { loadCache } = await import(${JSON.stringify(join(DIST, "cache/load.js"))});
  const { compactCache } = await import(${JSON.stringify(join(DIST, "cache/compact.js"))});
  const path = process.argv[1];
  const nowSeconds = Math.floor(Date.now() / 1000);
  const loaded = loadCache(path, { nowSeconds, oldestSeconds: nowSeconds - 86400 });
  const started = performance.now();
  const bytes = compactCache(path, loaded.fd, loaded.end, loaded.table);
  console.log(JSON.stringify({ compactMs: performance.now() - started, bytes, maxRss: process.resourceUsage().maxRSS * 1024 }));
`;

function child(script, path) {
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script, path, String(entries)], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const folder = mkdtempSync(join(tmpdir(), "trawl-cache-bench-"));
const path = join(folder, "cache.bin");
try {
  let started = performance.now();
  await writeCacheFile(path);
  const size = statSync(path).size;
  console.log(
    `wrote ${entries.toLocaleString("en")} entries, ${mb(size)} (${(size / entries).toFixed(0)} bytes each) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  // The first open after writing reads from the page cache, as a run after CI's restore step mostly does.
  const open = child(OPEN_CHILD, path);
  console.log(
    `open: ${(open.loadMs / 1000).toFixed(2)} s (CPU ${(open.loadCpuMs / 1000).toFixed(2)} s); RSS after load ${mb(open.rssAfterLoad)}, peak ${mb(open.maxRss)}`,
  );
  console.log(`per URL: revalidation ${open.revalidationUs.toFixed(1)} µs, revalidated (304 hit) ${open.revalidatedUs.toFixed(1)} µs`);
  started = performance.now();
  const compact = child(COMPACT_CHILD, path);
  console.log(
    `compaction of every entry: ${(compact.compactMs / 1000).toFixed(2)} s (${mb(compact.bytes)}), peak RSS ${mb(compact.maxRss)}`,
  );
} finally {
  if (values.keep) console.log(`kept ${path}`);
  else rmSync(folder, { recursive: true, force: true });
}
