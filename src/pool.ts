import pLimit, { type LimitFunction } from "p-limit";

/** How `mapPool` schedules work. */
export interface PoolSettings<T> {
  /** Tasks running at most, over all keys. */
  concurrency: number;
  /** Tasks running at most for one key (a host). */
  perKeyConcurrency: number;
  /** The key an item is limited under. */
  keyOf: (item: T) => string;
  /** The key's limit now, when it changes during a run (adaptive per-host limits); at most `perKeyConcurrency`. */
  keyConcurrency?: ((key: string) => number) | undefined;
  /** Yield results in input order rather than completion order. */
  ordered: boolean;
  /**
   * Items taken from the source but not yet yielded, at most: running, queued for a busy key, or
   * finished and waiting for the consumer (or, when ordered, for an earlier item). This bound is
   * the backpressure: when the consumer is slow, the source is not read.
   */
  window: number;
  /** Stops taking items from the source. Running tasks are not touched: they see the signal themselves. */
  signal?: AbortSignal | undefined;
}

/**
 * A bounded concurrent map over an (async) iterable: a global limit and a per-key limit (p-limit),
 * results yielded as they finish (or in input order), and never more than `window` items in hand.
 * `work` runs under the limits; `finish`, when given, runs on its result once the item's slots are
 * free again (trawl fetches under the limits and extracts after, so the next request goes out
 * before the last page is parsed). Neither must throw for ordinary failures: they are values. A
 * throw is a bug and ends the run.
 */
export async function* mapPool<T, W, R = W>(
  source: AsyncIterable<T> | Iterable<T>,
  work: (item: T) => Promise<W>,
  settings: PoolSettings<T>,
  finish?: (done: W) => R | Promise<R>,
): AsyncGenerator<R> {
  const global = pLimit(settings.concurrency);
  const perKey = new Map<string, LimitFunction>();
  const ready: R[] = [];
  const finishedOutOfOrder = new Map<number, R>();
  let nextToYield = 0;
  let inHand = 0;
  let sourceDone = false;
  let failure = null as { error: unknown } | null;
  let stopped = false;

  // One waiter on each side: the feeder waits for room, the consumer waits for a result.
  let wakeFeeder: (() => void) | null = null;
  let wakeConsumer: (() => void) | null = null;
  const notify = (which: "feeder" | "consumer") => {
    const wake = which === "feeder" ? wakeFeeder : wakeConsumer;
    if (which === "feeder") wakeFeeder = null;
    else wakeConsumer = null;
    wake?.();
  };

  // p-limit passes arguments on: no closure per item.
  const runGlobally = (item: T): Promise<W> => global(work, item);
  const run = (item: T, index: number) => {
    const key = settings.keyOf(item);
    let limit = perKey.get(key);
    if (!limit) {
      limit = pLimit(settings.perKeyConcurrency);
      perKey.set(key, limit);
    }
    const keyLimit = limit;
    const adjust = () => {
      const wanted = settings.keyConcurrency?.(key);
      if (wanted !== undefined && wanted !== keyLimit.concurrency) keyLimit.concurrency = wanted;
    };
    adjust();
    // The key's slot is taken first, so a task queued behind a busy host never holds a global slot.
    const limited = keyLimit(runGlobally, item);
    (finish ? limited.then(finish) : (limited as unknown as Promise<R>)).then(
      (result) => {
        adjust();
        if (settings.ordered) finishedOutOfOrder.set(index, result);
        else ready.push(result);
        // Forget idle keys, so a list over a million hosts keeps no per-host state.
        if (keyLimit.activeCount === 0 && keyLimit.pendingCount === 0) perKey.delete(key);
        notify("consumer");
      },
      (error: unknown) => {
        failure ??= { error };
        notify("consumer");
      },
    );
  };

  const feed = async () => {
    const iterator =
      Symbol.asyncIterator in source ? (source as AsyncIterable<T>)[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]();
    try {
      for (let index = 0; ; index++) {
        while (inHand >= settings.window && !stopped) await new Promise<void>((resolve) => (wakeFeeder = resolve));
        if (stopped || settings.signal?.aborted) break;
        const next = await iterator.next();
        if (next.done) break;
        inHand++;
        run(next.value, index);
      }
    } catch (error) {
      failure ??= { error };
    } finally {
      sourceDone = true;
      notify("consumer");
      if (stopped || settings.signal?.aborted) await iterator.return?.();
    }
  };

  const feeding = feed();
  try {
    for (;;) {
      let result: R | undefined;
      let have = false;
      if (settings.ordered) {
        if (finishedOutOfOrder.has(nextToYield)) {
          result = finishedOutOfOrder.get(nextToYield);
          finishedOutOfOrder.delete(nextToYield);
          nextToYield++;
          have = true;
        }
      } else if (ready.length > 0) {
        result = ready.shift();
        have = true;
      }
      if (have) {
        inHand--;
        notify("feeder");
        yield result as R;
        continue;
      }
      if (failure) throw failure.error;
      if (sourceDone && inHand === 0) break;
      await new Promise<void>((resolve) => (wakeConsumer = resolve));
    }
  } finally {
    stopped = true;
    notify("feeder");
    // The feeder closes the source as it stops; wait for that, but not for long: a source slow to
    // yield (a quiet pipe, a stalled generator) must not hold up the end. It is closed when it yields.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([feeding, new Promise<void>((resolve) => (timer = setTimeout(resolve, 200)))]);
    clearTimeout(timer);
  }
}

/**
 * Wraps `finish` so that it runs after the I/O the event loop has ready: responses that arrive
 * together all send their next requests before any of them is parsed. On a latency-bound list this
 * keeps parsing off the requests' critical path; on a fast one it changes nothing but the order.
 */
export function afterPendingIo<A, B>(finish: (value: A) => B | Promise<B>): (value: A) => Promise<B> {
  let queue: (() => void)[] = [];
  const drain = () => {
    const batch = queue;
    queue = [];
    for (const run of batch) run();
  };
  return (value) =>
    new Promise<B>((resolve, reject) => {
      if (queue.length === 0) setImmediate(drain);
      queue.push(() => {
        try {
          resolve(finish(value));
        } catch (error) {
          reject(error);
        }
      });
    });
}
