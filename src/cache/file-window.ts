import { readSync } from "node:fs";

const WINDOW_BYTES = 1024 * 1024;

/**
 * Reads a file front to back through one reused buffer: many small frames cost one read per
 * window, and a frame larger than the window gets a buffer of its own. The views it returns are
 * valid until the next call.
 */
export class FileWindow {
  private readonly window = Buffer.allocUnsafe(WINDOW_BYTES);
  private start = 0;
  private filled = 0;

  constructor(
    private readonly fd: number,
    private readonly size: number,
  ) {}

  /**
   * Bytes [position, position + length) of the file, or null past its end. When they are not in the
   * window, it is refilled from `position` with `readAheadBytes` at least: a caller skipping large
   * payloads asks for little, so it does not read what it will jump over.
   */
  view(position: number, length: number, readAheadBytes = WINDOW_BYTES): Buffer | null {
    if (position + length > this.size) return null;
    if (position >= this.start && position + length <= this.start + this.filled) {
      return this.window.subarray(position - this.start, position - this.start + length);
    }
    if (length > WINDOW_BYTES) {
      const own = Buffer.allocUnsafe(length);
      readFully(this.fd, own, length, position);
      return own;
    }
    const wanted = Math.min(WINDOW_BYTES, Math.max(length, readAheadBytes), this.size - position);
    readFully(this.fd, this.window, wanted, position);
    this.start = position;
    this.filled = wanted;
    return this.window.subarray(0, length);
  }
}

/** Reads `length` bytes at `position` into the start of `target`; a short file is a bug of the caller. */
export function readFully(fd: number, target: Buffer, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const read = readSync(fd, target, done, length - done, position + done);
    if (read === 0) throw new Error(`cache file ended at byte ${position + done}, expected ${length - done} more`);
    done += read;
  }
}
