import { hash64 } from "./hash.js";

/** Shard `index` (1-based) of `count`: this run takes only the URLs that hash into it. */
export interface Shard {
  index: number;
  count: number;
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
