import { describe, expect, it } from "vitest";
import { hash64 } from "../../src/urls/hash.js";

describe("hash64", () => {
  it("is stable: known inputs give known outputs (shards must not move between versions)", () => {
    expect(hash64("")).toEqual(EXPECTED_EMPTY);
    expect(hash64("https://example.com/")).toEqual(EXPECTED_EXAMPLE);
    expect(hash64("https://example.com/a?b=c")).toEqual(EXPECTED_QUERY);
  });

  it("returns two unsigned 32-bit integers", () => {
    for (const text of ["", "a", "https://example.com/", "ünïcødé ✓ 𝄞", "x".repeat(10_000)]) {
      const [high, low] = hash64(text);
      for (const half of [high, low]) {
        expect(Number.isInteger(half)).toBe(true);
        expect(half).toBeGreaterThanOrEqual(0);
        expect(half).toBeLessThan(2 ** 32);
      }
    }
  });

  it("is deterministic and differs for different inputs", () => {
    expect(hash64("https://example.com/x")).toEqual(hash64("https://example.com/x"));
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(hash64(`https://example.com/${i}`).join(":"));
    expect(seen.size).toBe(20_000);
  });

  it("spreads values evenly over shards", () => {
    const shards = 4;
    const counts = new Array<number>(shards).fill(0);
    const total = 20_000;
    for (let i = 0; i < total; i++) {
      const [high] = hash64(`https://site${i}.test/page`);
      counts[high % shards]!++;
    }
    for (const count of counts) expect(Math.abs(count - total / shards)).toBeLessThan(total / shards / 10);
  });
});

// Computed once from the implementation; a change here re-shards every user's list.
const EXPECTED_EMPTY: [number, number] = [2872998923, 2628190328];
const EXPECTED_EXAMPLE: [number, number] = [842355882, 2955702366];
const EXPECTED_QUERY: [number, number] = [32152173, 2694568051];
