import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { SpillQueue } from "../../src/crawl/spill-queue.js";

const frontierFolders = () => readdirSync(tmpdir()).filter((name) => name.startsWith("trawl-frontier-"));

describe("SpillQueue", () => {
  it("keeps first-in first-out order across spills to disk, interleaving pushes and shifts", () => {
    const queue = new SpillQueue<{ n: number }>(10);
    const out: number[] = [];
    let next = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 17; i++) queue.push({ n: next++ });
      for (let i = 0; i < 9; i++) out.push((queue.shift() as { n: number }).n);
    }
    expect(queue.spilledChunks).toBeGreaterThan(0);
    for (let item = queue.shift(); item; item = queue.shift()) out.push(item.n);
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(queue.length).toBe(0);
    queue.dispose();
  });

  it("holds about two chunks in memory however many items wait, and removes its files", () => {
    const before = new Set(frontierFolders());
    const queue = new SpillQueue<string>(100);
    for (let i = 0; i < 10_000; i++) queue.push(`https://example.com/${i}`);
    expect(queue.length).toBe(10_000);
    // 10,000 items, chunks of 100: all but about two chunks are on disk.
    expect(queue.spilledChunks).toBeGreaterThanOrEqual(97);
    const created = frontierFolders().filter((name) => !before.has(name));
    expect(created).toHaveLength(1);
    expect(queue.shift()).toBe("https://example.com/0");
    queue.dispose();
    expect(existsSync(`${tmpdir()}/${created[0]}`)).toBe(false);
  });
});

describe("SpillQueue under a steady flow", () => {
  it("keeps order when items flow through one at a time for a long while", () => {
    const queue = new SpillQueue<number>(50);
    let next = 0;
    let expected = 0;
    for (let i = 0; i < 30; i++) queue.push(next++);
    for (let i = 0; i < 20_000; i++) {
      queue.push(next++);
      expect(queue.shift()).toBe(expected++);
    }
    expect(queue.length).toBe(30);
    queue.dispose();
  });
});
