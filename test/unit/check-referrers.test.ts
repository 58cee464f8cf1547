/** linkedFrom's parts (SPEC §9): the referrer log on disk and the failures held until the crawl ends. */
import { describe, expect, it } from "vitest";
import { HeldFailures, withLinkedFrom } from "../../src/crawl/held-failures.js";
import { ReferrerLog } from "../../src/crawl/referrers.js";
import type { TrawlRecord } from "../../src/record.js";
import { hash64 } from "../../src/urls/hash.js";
import { failedRecord } from "../helpers/records.js";

const failed = (url: string): TrawlRecord => failedRecord(url, { depth: 1, parent: null });

function hashes(keys: string[]): [Uint32Array, Uint32Array] {
  const highs = new Uint32Array(keys.length);
  const lows = new Uint32Array(keys.length);
  keys.forEach((key, i) => {
    [highs[i], lows[i]] = hash64(key);
  });
  return [highs, lows];
}

describe("ReferrerLog", () => {
  it("finds every page linking to a key, the first 20 in reading order, and counts the rest", () => {
    const log = new ReferrerLog();
    try {
      for (let page = 0; page < 30; page++) log.add(`https://site.test/p/${page}`, ["https://site.test/", "https://site.test/broken"]);
      log.add("https://site.test/other", ["https://site.test/ok"]);
      const [highs, lows] = hashes(["https://site.test/broken", "https://site.test/ok", "https://site.test/nobody-links-here"]);
      const [broken, ok, none] = log.referrers(highs, lows, 20);
      expect(broken?.urls).toEqual(Array.from({ length: 20 }, (_, page) => `https://site.test/p/${page}`));
      expect(broken?.more).toBe(10);
      expect(ok).toEqual({ urls: ["https://site.test/other"], more: 0 });
      expect(none).toEqual({ urls: [], more: 0 });
    } finally {
      log.dispose();
    }
  });

  it("reads entries larger than its buffer and spanning many writes, in one or several passes", () => {
    const log = new ReferrerLog();
    try {
      // 150,000 links (1.2 MB of hashes) on one page, then many pages: the log is written several times.
      const huge = Array.from({ length: 150_000 }, (_, i) => `https://site.test/t/${i}`);
      log.add("https://site.test/huge", huge);
      for (let page = 0; page < 20_000; page++) log.add(`https://site.test/q/${page}`, [`https://site.test/t/${page % 7}`]);
      const keys = ["https://site.test/t/3", "https://site.test/t/149999", "https://site.test/t/150000"];
      const [highs, lows] = hashes(keys);
      const first = log.referrers(highs, lows, 20);
      expect(first[0]?.urls[0]).toBe("https://site.test/huge");
      expect(first[0]?.urls[1]).toBe("https://site.test/q/3");
      expect((first[0]?.urls.length ?? 0) + (first[0]?.more ?? 0)).toBe(1 + Math.ceil((20_000 - 3) / 7));
      expect(first[1]).toEqual({ urls: ["https://site.test/huge"], more: 0 });
      expect(first[2]).toEqual({ urls: [], more: 0 });
      // A second pass over the same log gives the same answer.
      expect(log.referrers(highs, lows, 20)).toEqual(first);
    } finally {
      log.dispose();
    }
  });

  it("gives each of two records with the same key the same referrers", () => {
    const log = new ReferrerLog();
    try {
      log.add("https://site.test/a", ["https://site.test/x"]);
      const [highs, lows] = hashes(["https://site.test/x", "https://site.test/x"]);
      expect(log.referrers(highs, lows, 20)).toEqual([
        { urls: ["https://site.test/a"], more: 0 },
        { urls: ["https://site.test/a"], more: 0 },
      ]);
    } finally {
      log.dispose();
    }
  });
});

describe("HeldFailures", () => {
  it("releases every held record in order with its linkedFrom, across batches, from its file and memory", () => {
    const log = new ReferrerLog();
    const held = new HeldFailures();
    try {
      const count = 5_000;
      for (let i = 0; i < count; i++) {
        log.add(`https://site.test/from/${i}`, [`https://site.test/gone/${i}`, `https://site.test/gone/${(i + 1) % count}`]);
        held.hold(failed(`https://site.test/gone/${i}`));
      }
      expect(held.size).toBe(count);
      // Batches of 1,000: five passes over the log; 5,000 records (over 1 MB of NDJSON) go to the file in part.
      const released = [...held.release(log, 1_000)];
      expect(released.map((record) => record.url)).toEqual(Array.from({ length: count }, (_, i) => `https://site.test/gone/${i}`));
      expect(released[7]?.linkedFrom).toEqual({ urls: ["https://site.test/from/6", "https://site.test/from/7"], more: 0 });
      expect(released[0]?.linkedFrom).toEqual({ urls: ["https://site.test/from/0", `https://site.test/from/${count - 1}`], more: 0 });
      // linkedFrom sits before error, as the record's keys are ordered.
      expect(Object.keys(released[0] as object).slice(-2)).toEqual(["linkedFrom", "error"]);
    } finally {
      held.dispose();
      log.dispose();
    }
  });

  it("releases a few records held in memory alone, and a record with odd characters intact", () => {
    const log = new ReferrerLog();
    const held = new HeldFailures();
    try {
      const odd = failed('https://site.test/é?q=\u2028\n"');
      held.hold(failed("https://site.test/a"));
      held.hold(odd);
      log.add("https://site.test/", ["https://site.test/a"]);
      const released = [...held.release(log)];
      expect(released).toEqual([
        withLinkedFrom(failed("https://site.test/a"), { urls: ["https://site.test/"], more: 0 }),
        withLinkedFrom(odd, { urls: [], more: 0 }),
      ]);
    } finally {
      held.dispose();
      log.dispose();
    }
  });

  it("withLinkedFrom keeps every key of the record", () => {
    const record = failed("https://site.test/x");
    const linked = withLinkedFrom(record, { urls: [], more: 0 });
    expect(linked).toEqual({ ...record, linkedFrom: { urls: [], more: 0 } });
  });
});
