import { SPILL_CHUNK_ITEMS } from "../limits.js";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A first-in first-out queue that keeps at most about `2 × chunk` items in memory and spills the
 * rest to temporary files, a chunk per file: a crawl of a million pages queues without growing.
 * Items pass through JSON, so they must be plain data.
 *
 * Layout: `head` (taken from) ← spilled chunks, oldest first ← `tail` (pushed to). A full tail is
 * written out as a chunk when chunks are already waiting or the head is full; an empty head is
 * refilled from the oldest chunk, else from the tail.
 */
export class SpillQueue<T> {
  private head: T[] = [];
  private headIndex = 0;
  private tail: T[] = [];
  private readonly chunks: string[] = [];
  private folder: string | null = null;
  private written = 0;
  private count = 0;

  constructor(private readonly chunk = SPILL_CHUNK_ITEMS) {}

  get length(): number {
    return this.count;
  }

  /** Chunks currently on disk (for tests and measurements). */
  get spilledChunks(): number {
    return this.chunks.length;
  }

  push(item: T): void {
    this.count++;
    if (this.chunks.length === 0 && this.tail.length === 0 && this.head.length - this.headIndex < this.chunk) {
      this.head.push(item);
      return;
    }
    this.tail.push(item);
    if (this.tail.length >= this.chunk) this.spill();
  }

  shift(): T | undefined {
    if (this.headIndex >= this.head.length) this.refill();
    if (this.headIndex >= this.head.length) return undefined;
    const item = this.head[this.headIndex] as T;
    this.headIndex++;
    this.count--;
    // Let go of the taken front now and then, so a steady push-and-shift does not grow the array.
    if (this.headIndex >= 1024 && this.headIndex * 2 >= this.head.length) {
      this.head = this.head.slice(this.headIndex);
      this.headIndex = 0;
    }
    return item;
  }

  private spill(): void {
    this.folder ??= mkdtempSync(path.join(tmpdir(), "trawl-frontier-"));
    const file = path.join(this.folder, `${this.written++}.json`);
    writeFileSync(file, JSON.stringify(this.tail));
    this.chunks.push(file);
    this.tail = [];
  }

  private refill(): void {
    this.head = [];
    this.headIndex = 0;
    const file = this.chunks.shift();
    if (file !== undefined) {
      this.head = JSON.parse(readFileSync(file, "utf8")) as T[];
      rmSync(file, { force: true });
    } else {
      this.head = this.tail;
      this.tail = [];
    }
  }

  /** Removes the temporary files. */
  dispose(): void {
    if (this.folder) rmSync(this.folder, { recursive: true, force: true });
    this.folder = null;
    this.chunks.length = 0;
  }
}
