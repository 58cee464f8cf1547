/**
 * A stable 64-bit hash of a string, as two 32-bit halves. Stable across runs, machines and Node
 * versions (it reads UTF-16 code units only), so it can both dedupe URLs and split a list into
 * shards. Two independent 32-bit FNV-1a passes, each finished with murmur3's avalanche step.
 */

function finish(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Returns [high, low] 32-bit unsigned halves of the hash of `text`. */
export function hash64(text: string): [number, number] {
  let high = 0x811c9dc5;
  let low = 0x2545f491;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    high = Math.imul(high ^ unit, 0x01000193);
    low = Math.imul(low ^ unit, 0x5bd1e995);
    low ^= low >>> 15;
  }
  return [finish(high ^ text.length), finish(low + Math.imul(text.length, 0x27d4eb2d))];
}
