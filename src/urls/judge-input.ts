import type { HashSet64 } from "./seen-set.js";
import { type InputUrl, normalizeUrl } from "./normalize.js";
import { inShard, type Shard } from "./shard.js";

/** Which input lines a run takes (SPEC §1). */
export interface InputFilter {
  /** URLs seen before (by hash) are dropped; null keeps duplicates. */
  seen: HashSet64 | null;
  shard: Shard | undefined;
  /** Leaves out a URL (normalised, or the raw line when it is not one) for which this is true. */
  skip: ((key: string) => boolean) | undefined;
}

/**
 * Judges each input line, keeps this shard's share, and drops URLs seen before (by hash), lazily;
 * `as` shapes what is yielded (one generator rather than two in a row: each hop costs a promise).
 */
export async function* judgeInput<T>(
  lines: AsyncIterable<string> | Iterable<string>,
  filter: InputFilter,
  as: (input: InputUrl) => T,
): AsyncGenerator<T> {
  const { seen, shard, skip } = filter;
  for await (const line of lines) {
    const judged = normalizeUrl(String(line).trim());
    const key = judged.ok ? judged.url : judged.line;
    // A line that is not a URL is sharded by its text, so exactly one job reports it.
    if (shard && !inShard(key, shard)) continue;
    if (skip?.(key)) continue;
    if (judged.ok && seen && !seen.add(judged.url)) continue;
    yield as(judged);
  }
}
