import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { mapPool, type PoolSettings } from "../../src/pool.js";
import { toArray } from "../helpers/iterables.js";

interface Item {
  id: number;
  key: string;
  ms: number;
}

const settings = (overrides: Partial<PoolSettings<Item>> = {}): PoolSettings<Item> => ({
  concurrency: 4,
  perKeyConcurrency: 4,
  keyOf: (item) => item.key,
  ordered: false,
  window: 64,
  ...overrides,
});

/** Counts tasks in flight, overall and per key, and remembers the highest counts seen. */
function tracker() {
  let active = 0;
  let maxActive = 0;
  const activeByKey = new Map<string, number>();
  const maxByKey = new Map<string, number>();
  return {
    get maxActive() {
      return maxActive;
    },
    maxByKey,
    async run(item: Item): Promise<number> {
      active++;
      maxActive = Math.max(maxActive, active);
      const keyActive = (activeByKey.get(item.key) ?? 0) + 1;
      activeByKey.set(item.key, keyActive);
      maxByKey.set(item.key, Math.max(maxByKey.get(item.key) ?? 0, keyActive));
      await sleep(item.ms);
      active--;
      activeByKey.set(item.key, (activeByKey.get(item.key) ?? 1) - 1);
      return item.id;
    },
  };
}

/** A source that counts how many items were pulled from it and whether it was closed. */
function countingSource(limit = Number.POSITIVE_INFINITY) {
  const state = { pulled: 0, closed: false };
  async function* generate(): AsyncGenerator<Item> {
    try {
      for (let id = 0; id < limit; id++) {
        state.pulled++;
        yield { id, key: `host${id % 3}`, ms: 0 };
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, source: generate() };
}

describe("mapPool", () => {
  it("never runs more than `concurrency` tasks at once, and reaches it", async () => {
    const items = Array.from({ length: 40 }, (_, id) => ({ id, key: `host${id}`, ms: 2 + (id % 5) * 2 }));
    const track = tracker();
    const results = await toArray(mapPool(items, (item) => track.run(item), settings({ concurrency: 4, perKeyConcurrency: 4 })));
    expect(results.sort((a, b) => a - b)).toEqual(items.map((item) => item.id));
    expect(track.maxActive).toBe(4);
  });

  it("accepts a sync iterable and an async iterable", async () => {
    const items = [1, 2, 3].map((id) => ({ id, key: "k", ms: 0 }));
    async function* asyncItems() {
      yield* items;
    }
    const work = async (item: Item) => item.id * 10;
    expect((await toArray(mapPool(items, work, settings()))).sort()).toEqual([10, 20, 30]);
    expect((await toArray(mapPool(asyncItems(), work, settings()))).sort()).toEqual([10, 20, 30]);
    expect(await toArray(mapPool([], work, settings()))).toEqual([]);
  });

  it("keeps each key within perKeyConcurrency while other keys proceed", async () => {
    const items = Array.from({ length: 30 }, (_, id) => ({ id, key: id % 3 === 0 ? "busy" : `other${id % 3}`, ms: 5 }));
    const track = tracker();
    await toArray(mapPool(items, (item) => track.run(item), settings({ concurrency: 6, perKeyConcurrency: 2 })));
    for (const key of ["busy", "other1", "other2"]) expect(track.maxByKey.get(key)).toBe(2);
    expect(track.maxActive).toBe(6);
  });

  it("lets other keys finish while one key's tasks are stuck", async () => {
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const items: Item[] = [
      ...Array.from({ length: 4 }, (_, i) => ({ id: i, key: "slow", ms: 0 })),
      ...Array.from({ length: 6 }, (_, i) => ({ id: 100 + i, key: "fast", ms: 0 })),
    ];
    const work = async (item: Item) => {
      if (item.key === "slow") await stuck;
      return item.id;
    };
    const iterator = mapPool(items, work, settings({ concurrency: 4, perKeyConcurrency: 1 }))[Symbol.asyncIterator]();
    const early: number[] = [];
    for (let i = 0; i < 6; i++) early.push((await iterator.next()).value as number);
    // All six fast items came through while the slow host held its one slot: the queued slow
    // items did not take global slots.
    expect(early.sort((a, b) => a - b)).toEqual([100, 101, 102, 103, 104, 105]);
    release();
    const rest: number[] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest.push(next.value);
    expect(rest.sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
  });

  it("yields in input order when ordered, even when later items finish first", async () => {
    const items = [40, 30, 20, 10, 0].map((ms, id) => ({ id, key: `h${id}`, ms }));
    const finished: number[] = [];
    const work = async (item: Item) => {
      await sleep(item.ms);
      finished.push(item.id);
      return item.id;
    };
    expect(await toArray(mapPool(items, work, settings({ concurrency: 5, ordered: true })))).toEqual([0, 1, 2, 3, 4]);
    expect(finished).toEqual([4, 3, 2, 1, 0]);
  });

  it("yields in completion order by default: fast items first", async () => {
    const items = [60, 40, 20, 0].map((ms, id) => ({ id, key: `h${id}`, ms }));
    const work = async (item: Item) => {
      await sleep(item.ms);
      return item.id;
    };
    expect(await toArray(mapPool(items, work, settings({ concurrency: 4 })))).toEqual([3, 2, 1, 0]);
  });

  it("applies backpressure: a consumer that stops pulling stops the source at about window + 1 items", async () => {
    const window = 5;
    // Finite, so a pool without backpressure fails the assertion instead of running forever.
    const { state, source } = countingSource(10_000);
    const iterator = mapPool(source, async (item) => item.id, settings({ window, concurrency: 2 }))[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe(0);
    await sleep(50);
    expect(state.pulled).toBeLessThanOrEqual(window + 2);
    expect(state.pulled).toBeGreaterThanOrEqual(window);
    await iterator.return?.(undefined);
    expect(state.closed).toBe(true);
  });

  it("keeps the window in ordered mode while the first item is slow", async () => {
    const window = 8;
    const { state, source } = countingSource(10_000);
    let releaseFirst!: () => void;
    const first = new Promise<void>((resolve) => (releaseFirst = resolve));
    const work = async (item: Item) => {
      if (item.id === 0) await first;
      return item.id;
    };
    const iterator = mapPool(source, work, settings({ window, concurrency: 4, ordered: true }))[Symbol.asyncIterator]();
    const pending = iterator.next();
    await sleep(50);
    // Items 1..7 are done but cannot be yielded before item 0: the feeder must wait, not buffer.
    expect(state.pulled).toBe(window);
    releaseFirst();
    expect((await pending).value).toBe(0);
    for (let i = 1; i < 20; i++) expect((await iterator.next()).value).toBe(i);
    await iterator.return?.(undefined);
  });

  it("rejects the iteration when a worker throws", async () => {
    const items = Array.from({ length: 10 }, (_, id) => ({ id, key: "k", ms: 1 }));
    const work = async (item: Item) => {
      await sleep(item.ms);
      if (item.id === 3) throw new Error("bug in worker");
      return item.id;
    };
    await expect(toArray(mapPool(items, work, settings()))).rejects.toThrow("bug in worker");
    await expect(toArray(mapPool(items, work, settings({ ordered: true })))).rejects.toThrow("bug in worker");
  });

  it("rejects the iteration when the source throws", async () => {
    async function* broken(): AsyncGenerator<Item> {
      yield { id: 0, key: "k", ms: 0 };
      throw new Error("source broke");
    }
    await expect(toArray(mapPool(broken(), async (item) => item.id, settings()))).rejects.toThrow("source broke");
  });

  it("stops pulling from the source when the signal aborts, finishes what it holds, and closes the source", async () => {
    const controller = new AbortController();
    const { state, source } = countingSource(5_000);
    const work = async (item: Item) => {
      await sleep(2);
      return item.id;
    };
    const results: number[] = [];
    for await (const id of mapPool(source, work, settings({ window: 10, signal: controller.signal }))) {
      results.push(id);
      if (results.length === 25) controller.abort();
      if (results.length > 1_000) break;
    }
    const pulledAtEnd = state.pulled;
    expect(pulledAtEnd).toBeLessThanOrEqual(25 + 10 + 1);
    // Everything taken from the source was yielded, nothing more.
    expect(results).toHaveLength(pulledAtEnd);
    expect(new Set(results).size).toBe(results.length);
    expect(state.closed).toBe(true);
  });

  it("takes nothing from the source when the signal is already aborted", async () => {
    const { state, source } = countingSource(1_000);
    const results = await toArray(mapPool(source, async (item) => item.id, settings({ signal: AbortSignal.abort() })));
    expect(results).toEqual([]);
    expect(state.pulled).toBe(0);
  });

  it("closes the source when the consumer breaks early", async () => {
    const { state, source } = countingSource(1_000);
    for await (const id of mapPool(source, async (item) => item.id, settings({ window: 4 }))) {
      if (id >= 2) break;
    }
    expect(state.closed).toBe(true);
    expect(state.pulled).toBeLessThan(20);
  });

  // trawl fetches under the limits and parses after: the next request must not wait for a parse.
  it("runs finish after the item's slots are free: the next item starts while the last one finishes", async () => {
    const events: string[] = [];
    const items: Item[] = [0, 1, 2].map((id) => ({ id, key: "one", ms: 0 }));
    const work = async (item: Item) => {
      events.push(`work ${item.id}`);
      await sleep(5);
      return item.id;
    };
    const finish = async (id: number) => {
      events.push(`finish ${id} starts`);
      await sleep(30);
      events.push(`finish ${id} ends`);
      return id * 10;
    };
    const results = await toArray(mapPool(items, work, settings({ concurrency: 1, perKeyConcurrency: 1 }), finish));
    expect(results.sort((a, b) => a - b)).toEqual([0, 10, 20]);
    // Under a limit of one, item 1 works while item 0 is still finishing.
    expect(events.indexOf("work 1")).toBeLessThan(events.indexOf("finish 0 ends"));
    expect(events.indexOf("work 2")).toBeLessThan(events.indexOf("finish 1 ends"));
  });

  it("counts finishing items in the window: while they finish, the source is not read further", async () => {
    const { state, source } = countingSource();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const finish = async (id: number) => {
      await gate;
      return id;
    };
    const iterator = mapPool(source, async (item) => item.id, settings({ window: 8 }), finish)[Symbol.asyncIterator]();
    const first = iterator.next();
    await sleep(20);
    // Every item taken is done working but still finishing: the window is full at 8.
    expect(state.pulled).toBe(8);
    release();
    expect((await first).done).toBe(false);
    await iterator.return?.(undefined);
  });
});
