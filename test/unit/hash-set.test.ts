import { describe, expect, it } from "vitest";
import { HashSet64 } from "../../src/hash-set.js";

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
});
