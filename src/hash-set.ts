import { hash64 } from "./url-hash.js";

/**
 * A set of strings that stores only their 64-bit hashes, in one open-addressing table of
 * 32-bit words: about 16 bytes per entry at worst, whatever the strings' length. A false
 * "already seen" needs a 64-bit collision (about 1 in 10^8 over ten million URLs).
 */
export class HashSet64 {
  private table: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.table = new Uint32Array(capacity * 2);
    this.mask = capacity - 1;
  }

  /** Number of distinct entries. */
  get size(): number {
    return this.count;
  }

  /** True when `text` (or a colliding hash) is in the set. */
  has(text: string): boolean {
    const [high, rawLow] = hash64(text);
    const low = high === 0 && rawLow === 0 ? 1 : rawLow;
    const table = this.table;
    for (let slot = (low ^ high) & this.mask; ; slot = (slot + 1) & this.mask) {
      const h = table[slot * 2];
      const l = table[slot * 2 + 1];
      if (h === 0 && l === 0) return false;
      if (h === high && l === low) return true;
    }
  }

  /** Adds `text`; returns false when it (or a colliding hash) was already there. */
  add(text: string): boolean {
    const [high, rawLow] = hash64(text);
    // (0, 0) marks an empty slot, so a real zero hash is stored as (0, 1).
    const low = high === 0 && rawLow === 0 ? 1 : rawLow;
    if (this.insert(high, low)) {
      this.count++;
      if (this.count * 2 > this.mask + 1) this.grow();
      return true;
    }
    return false;
  }

  private insert(high: number, low: number): boolean {
    const table = this.table;
    for (let slot = (low ^ high) & this.mask; ; slot = (slot + 1) & this.mask) {
      const h = table[slot * 2];
      const l = table[slot * 2 + 1];
      if (h === 0 && l === 0) {
        table[slot * 2] = high;
        table[slot * 2 + 1] = low;
        return true;
      }
      if (h === high && l === low) return false;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.mask = this.mask * 2 + 1;
    for (let i = 0; i < old.length; i += 2) {
      const high = old[i] as number;
      const low = old[i + 1] as number;
      if (high !== 0 || low !== 0) this.insert(high, low);
    }
  }
}
