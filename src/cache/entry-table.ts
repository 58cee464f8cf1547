// Six 32-bit words a slot: hash high, hash low, file offset (low and high words), the frame's
// size in bytes (0 once the entry is removed), and when the entry was last seen (s since the epoch).
const WORDS = 6;
const OFFSET_SPLIT = 2 ** 32;

/**
 * Where each cached URL's latest entry sits in the cache file, by the URL's 64-bit hash: an
 * open-addressing table of 32-bit words, 24 bytes a slot and at most half full, so a million
 * entries cost about 48 MB whatever their records weigh (the records stay in the file). A 64-bit
 * collision cannot give a wrong record: the entry read back names its URL, and a mismatch is a miss.
 */
export class EntryTable {
  private words: Uint32Array;
  private mask: number;
  // Slots holding a key, removed entries included (they keep probe chains intact).
  private occupied = 0;
  private live = 0;
  private liveBytesTotal = 0;

  constructor(initialCapacity = 1024) {
    let slots = 16;
    while (slots < initialCapacity * 2) slots *= 2;
    this.words = new Uint32Array(slots * WORDS);
    this.mask = slots - 1;
  }

  /** Number of live entries. */
  get size(): number {
    return this.live;
  }

  /** Bytes of the file the live entries' frames take. */
  get liveBytes(): number {
    return this.liveBytesTotal;
  }

  /** The slot of the live entry for this hash, or -1. */
  find(high: number, rawLow: number): number {
    const low = keyLow(high, rawLow);
    const words = this.words;
    for (let slot = (low ^ high) & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = slot * WORDS;
      const h = words[at] as number;
      const l = words[at + 1] as number;
      if (h === 0 && l === 0) return -1;
      if (h === high && l === low) return words[at + 4] === 0 ? -1 : slot;
    }
  }

  offsetOf(slot: number): number {
    const at = slot * WORDS;
    return (this.words[at + 3] as number) * OFFSET_SPLIT + (this.words[at + 2] as number);
  }

  bytesOf(slot: number): number {
    return this.words[slot * WORDS + 4] as number;
  }

  seenAtOf(slot: number): number {
    return this.words[slot * WORDS + 5] as number;
  }

  /** Records the latest frame for a hash; returns the bytes of the live frame it supersedes (0 if none). */
  put(high: number, rawLow: number, offset: number, bytes: number, seenAtSeconds: number): number {
    const at = this.slotFor(high, keyLow(high, rawLow)) * WORDS;
    const words = this.words;
    const superseded = words[at + 4] as number;
    if (superseded === 0) this.live++;
    this.liveBytesTotal += bytes - superseded;
    words[at + 2] = offset % OFFSET_SPLIT;
    words[at + 3] = Math.floor(offset / OFFSET_SPLIT);
    words[at + 4] = bytes;
    words[at + 5] = seenAtSeconds;
    if (this.occupied * 2 > this.mask + 1) this.grow();
    return superseded;
  }

  /** Marks the entry at `slot` seen at this time, unless it was seen later already. */
  see(slot: number, seenAtSeconds: number): void {
    const at = slot * WORDS + 5;
    if ((this.words[at] as number) < seenAtSeconds) this.words[at] = seenAtSeconds;
  }

  /** Drops the entry at `slot`; returns the bytes its frame took. */
  removeSlot(slot: number): number {
    const at = slot * WORDS;
    const bytes = this.words[at + 4] as number;
    if (bytes === 0) return 0;
    this.words[at + 4] = 0;
    this.live--;
    this.liveBytesTotal -= bytes;
    return bytes;
  }

  /** Drops every entry last seen before `seconds`; returns the bytes their frames took. */
  removeSeenBefore(seconds: number): number {
    let bytes = 0;
    for (let slot = 0; slot <= this.mask; slot++) {
      const at = slot * WORDS;
      if (this.words[at + 4] !== 0 && (this.words[at + 5] as number) < seconds) bytes += this.removeSlot(slot);
    }
    return bytes;
  }

  /** The file offsets of every live entry, ascending (so a rewrite reads the file front to back). */
  liveOffsets(): Float64Array {
    const offsets = new Float64Array(this.live);
    let count = 0;
    for (let slot = 0; slot <= this.mask; slot++) {
      if (this.words[slot * WORDS + 4] !== 0) offsets[count++] = this.offsetOf(slot);
    }
    return offsets.sort();
  }

  /** The slot holding this key, claimed when the key is new. */
  private slotFor(high: number, low: number): number {
    const words = this.words;
    for (let slot = (low ^ high) & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = slot * WORDS;
      const h = words[at] as number;
      const l = words[at + 1] as number;
      if (h === high && l === low) return slot;
      if (h === 0 && l === 0) {
        words[at] = high;
        words[at + 1] = low;
        this.occupied++;
        return slot;
      }
    }
  }

  /** Makes room for `entries` live entries at once, sparing the growths on the way there. */
  reserve(entries: number): void {
    let slots = this.mask + 1;
    while (slots < entries * 2) slots *= 2;
    if (slots > this.mask + 1) this.rebuild(slots);
  }

  /** Doubles the table, or rebuilds it at its size when removed entries fill it. */
  private grow(): void {
    const slots = this.mask + 1;
    this.rebuild(this.live * 4 <= slots ? slots : slots * 2);
  }

  /** Moves the live entries into a table of `slots` slots; removed ones are left behind. */
  private rebuild(slots: number): void {
    const old = this.words;
    this.words = new Uint32Array(slots * WORDS);
    this.mask = slots - 1;
    this.occupied = 0;
    const words = this.words;
    for (let at = 0; at < old.length; at += WORDS) {
      if (old[at + 4] === 0) continue;
      const to = this.slotFor(old[at] as number, old[at + 1] as number) * WORDS;
      words[to + 2] = old[at + 2] as number;
      words[to + 3] = old[at + 3] as number;
      words[to + 4] = old[at + 4] as number;
      words[to + 5] = old[at + 5] as number;
    }
  }
}

/** (0, 0) marks an empty slot, so a real zero hash is kept as (0, 1). */
function keyLow(high: number, low: number): number {
  return high === 0 && low === 0 ? 1 : low;
}
