import { describe, expect, it } from "vitest";
import { parseFlags } from "../../src/cli/flags.js";
import { parseShard } from "../../src/cli/values.js";
import { UsageError } from "../../src/errors.js";
import { inShard } from "../../src/urls/shard.js";

describe("--shard", () => {
  it("reads k/n", () => {
    expect(parseShard("2/5")).toEqual({ index: 2, count: 5 });
    expect(parseShard(" 1 / 1 ")).toEqual({ index: 1, count: 1 });
  });
  it.each(["0/3", "4/3", "3", "a/b", "1/0", "-1/3", "1.5/3", ""])("rejects %j naming --shard and quoting it", (text) => {
    const parse = () => parseFlags(["https://example.com/"], { dedupe: true, shard: text }, true);
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(`--shard must be k/n with 1 <= k <= n, such as 2/5, got \`${text}\``);
  });
});

describe("inShard", () => {
  const urls = Array.from({ length: 20_000 }, (_, i) => `https://host${i % 97}.example/page/${i}?q=${i * 7}`);

  for (const count of [2, 3, 7, 16]) {
    it(`puts every URL in exactly one of ${count} shards, evenly`, () => {
      const sizes = new Array<number>(count).fill(0);
      for (const url of urls) {
        const owners = Array.from({ length: count }, (_, i) => i + 1).filter((index) => inShard(url, { index, count }));
        expect(owners).toHaveLength(1);
        const shard = (owners[0] as number) - 1;
        sizes[shard] = (sizes[shard] ?? 0) + 1;
      }
      const expected = urls.length / count;
      for (const size of sizes) expect(Math.abs(size - expected) / expected).toBeLessThan(0.1);
    });
  }

  it("is stable: the same URL lands in the same shard on every machine (hard-coded, so a hash change is caught)", () => {
    const placed = ["https://example.com/", "https://example.org/a", "http://127.0.0.1:8080/x"].map((url) =>
      [1, 2, 3, 4, 5].find((index) => inShard(url, { index, count: 5 })),
    );
    expect(placed).toEqual([4, 5, 2]);
  });

  it("1/1 takes everything", () => {
    expect(urls.every((url) => inShard(url, { index: 1, count: 1 }))).toBe(true);
  });
});
