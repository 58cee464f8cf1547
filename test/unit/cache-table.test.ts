import { describe, expect, it } from "vitest";
import { EntryTable } from "../../src/cache/entry-table.js";
import { hash64 } from "../../src/urls/hash.js";

const keyOf = (i: number) => hash64(`https://example.com/${i}`);
// Offsets past 4 GiB take both 32-bit words of a slot.
const offsetOf = (i: number) => 2 ** 32 + i * 1000;

describe("EntryTable (the cache's in-memory index)", () => {
  it("finds what was put through growths, counts superseded and removed bytes, and forgets removed keys", () => {
    const table = new EntryTable(16);
    let superseded = 0;
    for (let i = 0; i < 50_000; i++) superseded += table.put(...keyOf(i), offsetOf(i), 100 + (i % 7), i);
    expect(superseded).toBe(0);
    expect(table.size).toBe(50_000);
    // Superseding returns the old frame's size; removing returns it too.
    expect(table.put(...keyOf(3), offsetOf(60_000), 500, 99)).toBe(103);
    let removed = 0;
    for (let i = 0; i < 50_000; i += 2) removed += table.removeSlot(table.find(...keyOf(i)));
    expect(removed).toBeGreaterThan(0);
    expect(table.size).toBe(25_000);
    // Keep churning so the removed keys fill the table and force rebuilds at the same size.
    for (let i = 50_000; i < 120_000; i++) {
      table.put(...keyOf(i), offsetOf(i), 10, i);
      table.removeSlot(table.find(...keyOf(i)));
    }
    table.reserve(200_000);
    const wrong: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      const slot = table.find(...keyOf(i));
      const expected = i % 2 === 0 ? null : i === 3 ? [offsetOf(60_000), 500, 99] : [offsetOf(i), 100 + (i % 7), i];
      const found = slot === -1 ? null : [table.offsetOf(slot), table.bytesOf(slot), table.seenAtOf(slot)];
      if (JSON.stringify(found) !== JSON.stringify(expected)) wrong.push(i);
    }
    expect(wrong).toEqual([]);
    expect(table.find(...keyOf(130_000))).toBe(-1);
    let bytes = 0;
    for (let i = 1; i < 50_000; i += 2) bytes += i === 3 ? 500 : 100 + (i % 7);
    expect(table.liveBytes).toBe(bytes);
  });

  it("keeps the latest seen time, drops entries seen before a time, and lists live offsets in file order", () => {
    const table = new EntryTable();
    table.put(0, 0, 300, 10, 5); // the zero hash is a key like any other
    table.put(1, 2, 100, 10, 5);
    table.put(3, 4, 200, 10, 5);
    table.see(table.find(1, 2), 50);
    table.see(table.find(1, 2), 20);
    expect(table.seenAtOf(table.find(1, 2))).toBe(50);
    expect(Array.from(table.liveOffsets())).toEqual([100, 200, 300]);
    expect(table.removeSeenBefore(10)).toBe(20);
    expect(table.size).toBe(1);
    expect(table.find(0, 0)).toBe(-1);
    expect(Array.from(table.liveOffsets())).toEqual([100]);
  });
});
