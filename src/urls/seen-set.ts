import { hash64 } from "./hash.js";

// The table's memory is reserved up to this size and committed as it grows (a resizable
// ArrayBuffer): 2 GiB of address space, room for 134 million entries, and no RSS until used.
const RESERVED_BYTES = 2 ** 31;

/** A buffer of `bytes` that can grow in place up to RESERVED_BYTES, or a plain one where that fails. */
function allocate(bytes: number): ArrayBuffer {
  if (bytes <= RESERVED_BYTES) {
    try {
      return new ArrayBuffer(bytes, { maxByteLength: RESERVED_BYTES });
    } catch {
      // Address space refused (a strict ulimit -v): a plain buffer, replaced on each growth.
    }
  }
  return new ArrayBuffer(bytes);
}

/**
 * A set of strings that stores only their 64-bit hashes, in one open-addressing table of 32-bit
 * words: about 16 bytes per entry at worst, whatever the strings' length. A false "already seen"
 * needs a 64-bit collision (about 1 in 10^8 over ten million URLs). The table doubles in place:
 * a copy would hold the old and new tables at once (24 MB for a 16 MB set at half a million URLs)
 * and leave the old one for the garbage collector, which frees such memory only at a full GC.
 */
export class HashSet64 {
  private buffer: ArrayBuffer;
  private table: Uint32Array;
  private mask: number;
  private count = 0;
  // The cluster being moved during a growth; kept between growths to spare the allocations.
  private readonly movingHigh: number[] = [];
  private readonly movingLow: number[] = [];

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.buffer = allocate(capacity * 8);
    this.table = new Uint32Array(this.buffer, 0, capacity * 2);
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
      // Half full at most: linear probing stays short, and a growth always finds an empty slot.
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
    const slots = this.mask + 1;
    const bytes = slots * 16;
    if (this.buffer.resizable && bytes <= this.buffer.maxByteLength) {
      this.buffer.resize(bytes);
      this.table = new Uint32Array(this.buffer, 0, slots * 4);
      this.mask = slots * 2 - 1;
      this.redistribute(slots);
      return;
    }
    const old = this.table;
    this.buffer = allocate(bytes);
    this.table = new Uint32Array(this.buffer, 0, slots * 4);
    this.mask = slots * 2 - 1;
    for (let i = 0; i < old.length; i += 2) {
      const high = old[i] as number;
      const low = old[i + 1] as number;
      if (high !== 0 || low !== 0) this.insert(high, low);
    }
  }

  /**
   * Moves every entry of the old table (its first `oldSlots` slots) to its place under the new mask,
   * one cluster (a run of occupied slots) at a time: the cluster is lifted out, its slots cleared,
   * and its entries put back. An entry's new home is its old one or that plus `oldSlots`, so a
   * cluster's entries fit back into its own slots or the same slots of the new half, and never
   * touch another cluster's. The cluster that wraps from the old table's end to its start may spill
   * anywhere, so it goes last, after an empty slot of the old table to start from.
   */
  private redistribute(oldSlots: number): void {
    const table = this.table;
    let empty = 0;
    while (table[empty * 2] !== 0 || table[empty * 2 + 1] !== 0) empty++;
    const high = this.movingHigh;
    const low = this.movingLow;
    for (let step = 1; step <= oldSlots; step++) {
      const slot = (empty + step) % oldSlots;
      const h = table[slot * 2] as number;
      const l = table[slot * 2 + 1] as number;
      if (h !== 0 || l !== 0) {
        high.push(h);
        low.push(l);
        table[slot * 2] = 0;
        table[slot * 2 + 1] = 0;
        continue;
      }
      // An empty slot ends the cluster lifted so far: put it back.
      for (let i = 0; i < high.length; i++) this.insert(high[i] as number, low[i] as number);
      high.length = 0;
      low.length = 0;
    }
  }
}
