import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type CachedPage, ResponseCache, type ResponseToStore } from "../../src/cache/index.js";
import { UsageError } from "../../src/errors.js";
import type { TrawlRecord } from "../../src/record.js";
import { okRecord } from "../helpers/records.js";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function cachePath(): string {
  const folder = mkdtempSync(path.join(tmpdir(), "trawl-cache-test-"));
  folders.push(folder);
  return path.join(folder, "cache.bin");
}

const recordFor = (url: string, title = "A page"): TrawlRecord =>
  okRecord(url, { ms: 12, bytes: 345, title, data: { h1: "Hello", tags: ["a", "b"] } });

function response(url: string, headers: ResponseToStore["headers"], more: Partial<ResponseToStore> = {}): ResponseToStore {
  return { status: 200, headers, record: recordFor(url), links: null, fingerprint: "fp1", ...more };
}

/** Opens, runs `body`, closes: one run of trawl with a cache. */
function withCache<T>(file: string, body: (cache: ResponseCache) => T, now?: number): T {
  const { cache, warning } = ResponseCache.open(file, now === undefined ? {} : { now });
  expect(warning).toBeNull();
  try {
    return body(cache);
  } finally {
    expect(cache.close()).toBeNull();
  }
}

const URL_A = "https://example.com/a";
const ETAG = '"v1-abc"';
const LAST_MODIFIED = "Tue, 03 Jun 2025 10:00:00 GMT";

describe("ResponseCache: what is kept and sent back", () => {
  it("round trip: a stored page gives If-None-Match next run, and a 304 brings back its record and links", () => {
    const file = cachePath();
    const links = [{ url: "https://example.com/b", kind: "book", from: { price: 3.5 } }, "https://example.com/c"];
    const stored = withCache(file, (cache) => cache.store(URL_A, response(URL_A, { etag: ETAG }, { links })));
    expect(stored).toBe(true);
    withCache(file, (cache) => {
      expect(cache.size).toBe(1);
      expect(cache.revalidation(URL_A, "fp1")).toEqual({ url: URL_A, headers: { "if-none-match": ETAG } });
      const page = cache.revalidated(URL_A, "fp1", { etag: ETAG }) as CachedPage;
      expect(page.record).toEqual(recordFor(URL_A));
      expect(page.links).toEqual(links);
      expect(cache.revalidation("https://example.com/other", "fp1")).toBeNull();
    });
  });

  it("a changed fingerprint gives no validators and no record", () => {
    const file = cachePath();
    withCache(file, (cache) => cache.store(URL_A, response(URL_A, { etag: ETAG })));
    withCache(file, (cache) => {
      expect(cache.revalidation(URL_A, "fp2")).toBeNull();
      expect(cache.revalidated(URL_A, "fp2", { etag: ETAG })).toBeNull();
      expect(cache.revalidation(URL_A, "fp1")).not.toBeNull();
    });
  });

  it("never keeps no-store, errors, 429, 5xx, non-2xx, Vary: * or a response without a validator", () => {
    const file = cachePath();
    const refused: Array<[string, ResponseToStore]> = [
      ["no-store", response(URL_A, { etag: ETAG, "cache-control": "max-age=60, no-store" })],
      ["request no-store", response(URL_A, { etag: ETAG }, { requestHeaders: { "cache-control": "no-store" } })],
      ["500", response(URL_A, { etag: ETAG }, { status: 500 })],
      ["503", response(URL_A, { etag: ETAG }, { status: 503 })],
      ["429", response(URL_A, { etag: ETAG }, { status: 429 })],
      ["404", response(URL_A, { etag: ETAG }, { status: 404 })],
      ["301", response(URL_A, { etag: ETAG, location: "/b" }, { status: 301 })],
      ["no validator", response(URL_A, { "cache-control": "max-age=600" })],
      ["a Last-Modified that is no date", response(URL_A, { "last-modified": "yesterday" })],
      ["Vary: *", response(URL_A, { etag: ETAG, vary: "Accept-Encoding, *" })],
    ];
    withCache(file, (cache) => {
      for (const [why, refusedResponse] of refused) expect(cache.store(URL_A, refusedResponse), why).toBe(false);
      expect(cache.size).toBe(0);
    });
    withCache(file, (cache) => {
      expect(cache.size).toBe(0);
      expect(cache.revalidation(URL_A, "fp1")).toBeNull();
    });
  });

  it("keeps `private` responses: this cache is the client's own", () => {
    const file = cachePath();
    withCache(file, (cache) => {
      expect(cache.store(URL_A, response(URL_A, { etag: ETAG, "cache-control": "private, no-cache" }))).toBe(true);
      expect(cache.revalidation(URL_A, "fp1")?.headers).toEqual({ "if-none-match": ETAG });
    });
  });

  it("sends a weak ETag as it came, and both validators when both exist", () => {
    const file = cachePath();
    const URL_B = "https://example.com/b";
    withCache(file, (cache) => {
      cache.store(URL_A, response(URL_A, { etag: 'W/"weak-1"' }));
      cache.store(URL_B, response(URL_B, { etag: ETAG, "last-modified": LAST_MODIFIED }));
    });
    withCache(file, (cache) => {
      expect(cache.revalidation(URL_A, "fp1")?.headers).toEqual({ "if-none-match": 'W/"weak-1"' });
      expect(cache.revalidation(URL_B, "fp1")?.headers).toEqual({ "if-none-match": ETAG, "if-modified-since": LAST_MODIFIED });
      // A weak ETag in the 304 matches the stored strong one by weak comparison (RFC 9110 §8.8.3.2).
      expect(cache.revalidated(URL_B, "fp1", { etag: `W/${ETAG}` })).not.toBeNull();
    });
  });

  it("sends If-Modified-Since alone when Last-Modified is the only validator", () => {
    const file = cachePath();
    withCache(file, (cache) => cache.store(URL_A, response(URL_A, { "last-modified": LAST_MODIFIED })));
    withCache(file, (cache) => {
      expect(cache.revalidation(URL_A, "fp1")?.headers).toEqual({ "if-modified-since": LAST_MODIFIED });
    });
  });

  it("after a redirect, names the final URL as the one to send the validators to", () => {
    const file = cachePath();
    const final = "https://example.com/a/";
    withCache(file, (cache) => cache.store(URL_A, response(URL_A, { etag: ETAG }, { finalUrl: final })));
    withCache(file, (cache) => expect(cache.revalidation(URL_A, "fp1")).toEqual({ url: final, headers: { "if-none-match": ETAG } }));
  });

  it("compares the request fields a response varies on, and keeps only hashes of their values", () => {
    const file = cachePath();
    const secret = "Bearer s3cr3t-token-value";
    const sent = { "accept-encoding": "gzip, br", authorization: secret, "user-agent": "trawl/1" };
    withCache(file, (cache) => {
      cache.store(URL_A, response(URL_A, { etag: ETAG, vary: "Accept-Encoding, Authorization" }, { requestHeaders: sent }));
    });
    expect(readFileSync(file, "latin1")).not.toContain("s3cr3t");
    withCache(file, (cache) => {
      expect(cache.revalidation(URL_A, "fp1", { ...sent, "user-agent": "other" })?.headers).toEqual({ "if-none-match": ETAG });
      expect(cache.revalidation(URL_A, "fp1", { ...sent, "accept-encoding": "identity" })).toBeNull();
      expect(cache.revalidation(URL_A, "fp1", { ...sent, authorization: "Bearer other" })).toBeNull();
    });
  });

  it("a 304 that names another representation is no hit, and the entry is dropped", () => {
    const file = cachePath();
    withCache(file, (cache) => cache.store(URL_A, response(URL_A, { etag: ETAG })));
    withCache(file, (cache) => expect(cache.revalidated(URL_A, "fp1", { etag: '"v2-other"' })).toBeNull());
    withCache(file, (cache) => expect(cache.revalidation(URL_A, "fp1")).toBeNull());
  });

  it("a bare 304 (no validator in it) is a hit: the server compared what was sent", () => {
    const file = cachePath();
    withCache(file, (cache) => cache.store(URL_A, response(URL_A, { etag: ETAG, "last-modified": LAST_MODIFIED })));
    withCache(file, (cache) => expect(cache.revalidated(URL_A, "fp1", { date: "Wed, 04 Jun 2025 10:00:00 GMT" })?.record.url).toBe(URL_A));
  });

  it("keeps the validators a 304 updates, for the next run", () => {
    const file = cachePath();
    const later = "Wed, 04 Jun 2025 10:00:00 GMT";
    withCache(file, (cache) => cache.store(URL_A, response(URL_A, { etag: ETAG, "last-modified": LAST_MODIFIED })));
    withCache(file, (cache) => expect(cache.revalidated(URL_A, "fp1", { etag: ETAG, "last-modified": later })).not.toBeNull());
    withCache(file, (cache) => {
      expect(cache.revalidation(URL_A, "fp1")?.headers).toEqual({ "if-none-match": ETAG, "if-modified-since": later });
      expect(cache.revalidated(URL_A, "fp1", { etag: ETAG })?.record).toEqual(recordFor(URL_A));
    });
  });

  it("a newer 2xx replaces the entry; one that may not be kept drops it", () => {
    const file = cachePath();
    withCache(file, (cache) => cache.store(URL_A, response(URL_A, { etag: ETAG })));
    withCache(file, (cache) => {
      const changed = response(URL_A, { etag: '"v2"' }, { record: recordFor(URL_A, "Changed"), fingerprint: "fp2" });
      expect(cache.store(URL_A, changed)).toBe(true);
    });
    withCache(file, (cache) => {
      expect(cache.revalidation(URL_A, "fp1")).toBeNull();
      expect(cache.revalidated(URL_A, "fp2", { etag: '"v2"' })?.record.title).toBe("Changed");
      // An error says nothing about the page: the entry stays.
      expect(cache.store(URL_A, response(URL_A, {}, { status: 503 }))).toBe(false);
      expect(cache.size).toBe(1);
      expect(cache.store(URL_A, response(URL_A, { "cache-control": "no-store" }))).toBe(false);
      expect(cache.size).toBe(0);
    });
    withCache(file, (cache) => expect(cache.size).toBe(0));
  });

  it("drops entries not seen for maxAgeMs; touch and hits count as seen", () => {
    const file = cachePath();
    const day = 24 * 60 * 60 * 1000;
    const start = Date.UTC(2025, 0, 1);
    const urls = ["https://example.com/touched", "https://example.com/hit", "https://example.com/forgotten"];
    withCache(
      file,
      (cache) => {
        for (const url of urls) cache.store(url, response(url, { etag: ETAG }));
      },
      start,
    );
    withCache(
      file,
      (cache) => {
        cache.touch(urls[0]!);
        expect(cache.revalidated(urls[1]!, "fp1", { etag: ETAG })).not.toBeNull();
      },
      start + 20 * day,
    );
    withCache(
      file,
      (cache) => {
        expect(cache.size).toBe(2);
        expect(cache.revalidation(urls[0]!, "fp1")).not.toBeNull();
        expect(cache.revalidation(urls[1]!, "fp1")).not.toBeNull();
        expect(cache.revalidation(urls[2]!, "fp1")).toBeNull();
      },
      start + 40 * day,
    );
  });

  it("refuses a maxAgeMs that is not a duration > 0, naming the option", () => {
    for (const maxAgeMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      let error: unknown;
      try {
        ResponseCache.open(cachePath(), { maxAgeMs });
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).option).toBe("cacheMaxAgeMs");
    }
  });
});
