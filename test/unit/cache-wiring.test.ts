/** The small parts that wire the response cache into a run: options, fingerprint, records, flags. */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cacheFingerprint } from "../../src/cache/fingerprint.js";
import { ResponseCache } from "../../src/cache/index.js";
import { flagOf } from "../../src/cli/option-flags.js";
import { parseDuration } from "../../src/cli/values.js";
import { UsageError } from "../../src/errors.js";
import { resolveOptions, type TrawlOptions } from "../../src/options.js";
import type { TrawlRecord } from "../../src/record.js";
import { cachedRecord, recordToKeep } from "../../src/records/cached-record.js";

const fingerprintOf = (options: TrawlOptions) => cacheFingerprint(resolveOptions(options));

describe("cache options", () => {
  it("resolves a file and a max age (30 days unless given); none without a file", () => {
    expect(resolveOptions({ cache: "c.bin" }).cache).toEqual({ path: "c.bin", maxAgeMs: 30 * 24 * 3_600_000 });
    expect(resolveOptions({ cache: "c.bin", cacheMaxAgeMs: 5000 }).cache).toEqual({ path: "c.bin", maxAgeMs: 5000 });
    expect(resolveOptions({}).cache).toBeNull();
  });

  it("names the option at fault", () => {
    expect(() => resolveOptions({ cache: " " })).toThrow(UsageError);
    expect(() => resolveOptions({ cache: " " })).toThrow(/^cache must be a file path/);
    expect(() => resolveOptions({ cache: "c.bin", cacheMaxAgeMs: 0 })).toThrow(/^cacheMaxAgeMs must be an integer >= 1, got `0`/);
    expect(() => resolveOptions({ cacheMaxAgeMs: Number.NaN })).toThrow(/^cacheMaxAgeMs must be/);
  });

  it("the CLI says them as --cache and --cache-max-age, and reads days", () => {
    expect(flagOf("cache")).toBe("--cache");
    expect(flagOf("cacheMaxAgeMs")).toBe("--cache-max-age");
    expect(parseDuration("30d")).toBe(30 * 86_400_000);
    expect(parseDuration("1.5d")).toBe(36 * 3_600_000);
    expect(parseDuration("12h")).toBe(12 * 3_600_000);
    expect(parseDuration("d")).toBeNull();
  });
});

describe("cacheFingerprint", () => {
  const base = fingerprintOf({ select: { h1: "h1", links: "a@href" } });

  it("is stable for the same settings", () => {
    expect(fingerprintOf({ select: { h1: "h1", links: "a@href" } })).toBe(base);
  });

  it("changes with what shapes a record or the links kept with it", () => {
    const others = [
      fingerprintOf({ select: { h1: "h2", links: "a@href" } }),
      fingerprintOf({ select: { h1: "h1", links: "a@src" } }),
      fingerprintOf({ select: { links: "a@href", h1: "h1" } }),
      fingerprintOf({ select: { h1: "h1", "links[]": "a@href" } }),
      fingerprintOf({ select: { h1: "h1", links: "a@href" }, crawl: true }),
      fingerprintOf({ select: { h1: "h1", links: "a@href" }, crawl: { followNofollow: true } }),
      fingerprintOf({ select: { h1: "h1", links: "a@href" }, saveDir: "bodies" }),
      // Items, filters, followed links, and a recipe's kinds and carry.
      fingerprintOf({ select: { h1: "h1", links: "a@href" }, each: "article" }),
      fingerprintOf({ select: { h1: "h1 | upper", links: "a@href" } }),
      fingerprintOf({ select: { h1: "h1", links: "a@href" }, follow: ["li.next a"] }),
      fingerprintOf({ recipe: { pages: { list: { select: { h1: "h1" }, follow: { book: "a" } }, book: {} } } }),
      fingerprintOf({ recipe: { pages: { list: { select: { h1: "h1" }, follow: { book: "a" } }, book: { carry: true } } } }),
    ];
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });

  it("does not change with what only decides which pages are fetched or how", () => {
    const crawl = fingerprintOf({ select: { h1: "h1" }, crawl: true });
    expect(fingerprintOf({ select: { h1: "h1" }, crawl: { depth: 7, scope: "any", include: ["x"], maxPages: 9 } })).toBe(crawl);
    const plain = fingerprintOf({ select: { h1: "h1" } });
    expect(fingerprintOf({ select: { h1: "h1" }, concurrency: 3, timeoutMs: 5, retries: 0, headers: { a: "b" } })).toBe(plain);
  });
});

describe("cached records", () => {
  const stored: TrawlRecord = {
    url: "https://x.test/a",
    finalUrl: "https://x.test/b",
    status: 200,
    ok: true,
    attempts: 3,
    ms: 999,
    bytes: 10,
    contentType: "text/html",
    title: "T",
    data: { h1: "H" },
    file: "out/x.test/b.html",
    depth: 2,
    parent: "https://x.test/",
    error: null,
  };

  it("are kept without their place in a crawl", () => {
    const kept = recordToKeep(stored);
    expect(kept).not.toHaveProperty("depth");
    expect(kept).not.toHaveProperty("parent");
    expect(kept.file).toBe("out/x.test/b.html");
  });

  it("come back with this run's attempts, time and place, cached, keys in the record's order", () => {
    const record = cachedRecord(recordToKeep(stored), "https://x.test/a", 1, performance.now() - 5, { depth: 0, parent: null });
    expect(Object.keys(record)).toEqual([
      "url",
      "finalUrl",
      "status",
      "ok",
      "attempts",
      "ms",
      "bytes",
      "contentType",
      "title",
      "data",
      "file",
      "depth",
      "parent",
      "cached",
      "error",
    ]);
    expect(record).toMatchObject({ attempts: 1, depth: 0, parent: null, cached: true, error: null, data: { h1: "H" } });
    expect(record.ms).toBeGreaterThanOrEqual(4);
    expect(record.ms).toBeLessThan(999);
    const { file: _file, ...withoutFile } = stored;
    const plain = cachedRecord(recordToKeep(withoutFile), "https://x.test/a", 1, performance.now(), undefined);
    expect(plain).not.toHaveProperty("depth");
    expect(plain).not.toHaveProperty("file");
    expect(Object.keys(plain).slice(-2)).toEqual(["cached", "error"]);
  });
});

describe("ResponseCache.revalidated given the revalidation it answers", () => {
  const url = "https://x.test/page";
  const record = (title: string): TrawlRecord => ({
    url,
    finalUrl: url,
    status: 200,
    ok: true,
    attempts: 1,
    ms: 1,
    bytes: 1,
    contentType: "text/html",
    title,
    data: {},
    error: null,
  });

  function withFile(body: (file: string) => void): void {
    const folder = mkdtempSync(path.join(tmpdir(), "trawl-cache-wiring-"));
    try {
      body(path.join(folder, "cache.bin"));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  it("uses the entry read for the revalidation: the file is not read again", () => {
    withFile((file) => {
      const { cache } = ResponseCache.open(file);
      cache.store(url, { status: 200, headers: { etag: '"a"' }, record: record("A"), fingerprint: "fp" });
      const revalidation = cache.revalidation(url, "fp");
      expect(revalidation).not.toBeNull();
      // Whatever happens to the file now, the entry was read whole already.
      const fd = openSync(file, "r+");
      writeSync(fd, Buffer.alloc(64, 0xff), 0, 64, 16 + 40);
      closeSync(fd);
      expect(cache.revalidated(url, "fp", { etag: '"a"' }, {}, revalidation ?? undefined)?.record.title).toBe("A");
      // Without it, the damaged entry is read again, and is a miss.
      expect(cache.revalidated(url, "fp", { etag: '"a"' })).toBeNull();
      cache.close();
    });
  });

  it("reads the entry again when it was replaced after the revalidation", () => {
    withFile((file) => {
      const { cache } = ResponseCache.open(file);
      cache.store(url, { status: 200, headers: { etag: '"a"' }, record: record("A"), fingerprint: "fp" });
      const revalidation = cache.revalidation(url, "fp") ?? undefined;
      cache.store(url, { status: 200, headers: { etag: '"a"' }, record: record("B"), fingerprint: "fp" });
      expect(cache.revalidated(url, "fp", { etag: '"a"' }, {}, revalidation)?.record.title).toBe("B");
      cache.close();
    });
  });
});
