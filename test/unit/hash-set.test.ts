import { describe, expect, it } from "vitest";
import { HashSet64 } from "../../src/urls/seen-set.js";
import { lcg } from "../helpers/random.js";

describe("HashSet64", () => {
  it("add returns true the first time and false after", () => {
    const set = new HashSet64();
    expect(set.add("https://example.com/")).toBe(true);
    expect(set.add("https://example.com/")).toBe(false);
    expect(set.add("https://example.com/other")).toBe(true);
    expect(set.size).toBe(2);
  });

  it("handles the empty string", () => {
    const set = new HashSet64();
    expect(set.add("")).toBe(true);
    expect(set.add("")).toBe(false);
    expect(set.size).toBe(1);
  });

  it("adds thousands of distinct strings, growing from a small table, and keeps every member", () => {
    const set = new HashSet64(4);
    const count = 50_000;
    let added = 0;
    for (let i = 0; i < count; i++) if (set.add(`https://host${i % 97}.test/page/${i}`)) added++;
    expect(added).toBe(count);
    expect(set.size).toBe(count);
    // After many growths, every member is still found.
    let again = 0;
    for (let i = 0; i < count; i++) if (set.add(`https://host${i % 97}.test/page/${i}`)) again++;
    expect(again).toBe(0);
    expect(set.size).toBe(count);
  });

  it("tells apart strings that differ only slightly", () => {
    const set = new HashSet64();
    const urls = ["https://a.test/", "https://a.test", "http://a.test/", "https://a.test/?", "https://A.test/", "https://a.test/ "];
    for (const url of urls) expect(set.add(url)).toBe(true);
    expect(set.size).toBe(urls.length);
  });

  it("does not count a repeated add in size", () => {
    const set = new HashSet64();
    for (let i = 0; i < 100; i++) set.add("same");
    expect(set.size).toBe(1);
  });

  // Growth moves entries in place, cluster by cluster: checked against a Set right after every
  // doubling, members and non-members alike, over several seeds (clusters that wrap around the
  // table's end come up in most growths).
  it.each([1, 2, 3, 4])("agrees with a Set after every in-place growth (seed %i)", (seed) => {
    const set = new HashSet64(1);
    const reference = new Set<string>();
    const random = lcg(seed);
    let nextCheck = 16;
    for (let i = 0; i < 120_000; i++) {
      // Repeats on purpose: about one add in six is of something already there.
      const text = `u${seed}-${random() % 100_000}`;
      expect(set.add(text)).toBe(!reference.has(text));
      reference.add(text);
      if (reference.size === nextCheck) {
        nextCheck *= 2;
        for (const member of reference) if (!set.has(member)) throw new Error(`lost ${member} at size ${reference.size}`);
      }
    }
    expect(set.size).toBe(reference.size);
    for (const member of reference) if (!set.has(member)) throw new Error(`lost ${member}`);
    for (let i = 0; i < 20_000; i++) expect(set.has(`never-${i}`)).toBe(false);
  });
});
