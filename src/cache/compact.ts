import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import type { EntryTable } from "./entry-table.js";
import { FileWindow } from "./file-window.js";
import { FRAME_HEADER_BYTES, fileHeader, payloadIntact, readFrameHeader, restampFrameHeader } from "./frame.js";

const OUTPUT_BUFFER_BYTES = 1024 * 1024;

/** Appends to a file through a buffer, in large writes. */
class BufferedOutput {
  private readonly buffer = Buffer.allocUnsafe(OUTPUT_BUFFER_BYTES);
  private used = 0;
  private position = 0;

  constructor(private readonly fd: number) {}

  /** Bytes written so far, buffered ones included. */
  get size(): number {
    return this.position + this.used;
  }

  write(bytes: Buffer): void {
    if (this.used + bytes.length > this.buffer.length) this.flush();
    if (bytes.length > this.buffer.length) {
      writeAll(this.fd, bytes, this.position);
      this.position += bytes.length;
      return;
    }
    bytes.copy(this.buffer, this.used);
    this.used += bytes.length;
  }

  flush(): void {
    writeAll(this.fd, this.buffer.subarray(0, this.used), this.position);
    this.position += this.used;
    this.used = 0;
  }
}

/** Writes all of `bytes` at `position` (a write may take less than asked). */
export function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/**
 * Rewrites the cache file with its live entries only, each stamped with when it was last seen (so
 * the SEEN batches can go), in file order. Payloads are checked on the way: a damaged entry is left
 * out. The new file is written beside the old one and renamed over it: a crash at any point leaves
 * either the old file or the new, whole. Returns the new file's size.
 */
export function compactCache(cachePath: string, fd: number, size: number, table: EntryTable): number {
  const temporary = `${cachePath}.${process.pid}.compacting`;
  const out = openSync(temporary, "w");
  try {
    const output = new BufferedOutput(out);
    output.write(fileHeader());
    const window = new FileWindow(fd, size);
    for (const offset of table.liveOffsets()) {
      const headerView = window.view(offset, FRAME_HEADER_BYTES);
      const header = headerView === null ? null : readFrameHeader(headerView, 0);
      if (header === null) continue;
      const frame = window.view(offset, FRAME_HEADER_BYTES + header.payloadBytes);
      if (frame === null || !payloadIntact(header, frame.subarray(FRAME_HEADER_BYTES))) continue;
      const slot = table.find(header.high, header.low);
      if (slot === -1 || table.offsetOf(slot) !== offset) continue;
      // The view is memory of ours: stamping it changes nothing in the old file.
      restampFrameHeader(frame, 0, table.seenAtOf(slot));
      output.write(frame);
    }
    output.flush();
    fsyncSync(out);
    closeSync(out);
    renameSync(temporary, cachePath);
    syncDirectory(path.dirname(cachePath));
    return output.size;
  } catch (error) {
    try {
      closeSync(out);
    } catch {
      // already closed before the rename failed
    }
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Makes the rename itself durable where the platform allows (POSIX); elsewhere it is best effort. */
function syncDirectory(directory: string): void {
  try {
    const fd = openSync(directory, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows cannot open a directory for fsync; the rename is still atomic there.
  }
}
