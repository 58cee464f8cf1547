import { UsageError } from "../errors.js";
import { hash64 } from "./hash.js";

/** Shard `index` (1-based) of `count`: this run takes only the URLs that hash into it. */
export interface Shard {
  index: number;
  count: number;
}

/** Parses `k/n` (1 ≤ k ≤ n), as `--shard` takes it. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard must be k/n with 1 <= k <= n, such as 2/5, got \`${text}\``);
  }
  return { index, count };
}

/**
 * Whether `key` (a normalised URL, or the raw line for one that is not a URL) belongs to the shard.
 * The whole 64-bit hash is reduced modulo n, so every key falls in exactly one shard, the same one
 * on every machine: n jobs over one list overlap nowhere and miss nothing.
 */
export function inShard(key: string, shard: Shard): boolean {
  if (shard.count === 1) return true;
  const [high, low] = hash64(key);
  // (high × 2^32 + low) mod n, in exact arithmetic on doubles (every term stays below 2^53).
  const remainder = ((high % shard.count) * (2 ** 32 % shard.count) + (low % shard.count)) % shard.count;
  return remainder === shard.index - 1;
}
