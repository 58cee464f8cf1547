import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";
import { optionError } from "../errors.js";
import { EntryTable } from "./entry-table.js";
import { FileWindow } from "./file-window.js";
import {
  FILE_HEADER_BYTES,
  FORMAT_VERSION,
  FRAME_HEADER_BYTES,
  FrameKind,
  fileHeader,
  payloadIntact,
  readFrameHeader,
  SIGNATURE,
} from "./frame.js";

/** A cache file opened for reading and appending, its entries indexed. */
export interface LoadedCache {
  fd: number;
  /** The end of the last whole frame: where the next one is written. */
  end: number;
  table: EntryTable;
  /** Bytes of frames that no longer count: superseded, removed or expired entries, SEEN batches. */
  garbageBytes: number;
  /** What the caller should tell the user (a damaged or foreign-version file), or null. */
  warning: string | null;
}

export interface LoadSettings {
  /** The run's time, in seconds since the epoch. */
  nowSeconds: number;
  /** Entries last seen before this (seconds since the epoch) are dropped. */
  oldestSeconds: number;
}

export function openOrCreate(path: string): number {
  try {
    return openSync(path, "r+");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw optionError("cache", `cannot open ${path}: ${(error as Error).message}`);
    }
  }
  try {
    return openSync(path, "w+");
  } catch (error) {
    throw optionError("cache", `cannot create ${path}: ${(error as Error).message}`);
  }
}

/** Empties the file down to a fresh header. */
function reset(fd: number): void {
  ftruncateSync(fd, 0);
  const header = fileHeader();
  writeSync(fd, header, 0, header.length, 0);
}

/**
 * Checks the file header. A file too short to hold one but starting like one was cut while being
 * created: fresh. A file that does not start with the signature is not a cache and is never
 * overwritten: the caller may have named the wrong file (`README.md`), so it is a usage error.
 */
export function checkHeader(fd: number, path: string, size: number): "fresh" | "current" | { version: number } {
  if (size === 0) return "fresh";
  const head = Buffer.alloc(FILE_HEADER_BYTES);
  readSync(fd, head, 0, Math.min(size, FILE_HEADER_BYTES), 0);
  const signatureBytes = Math.min(size, SIGNATURE.length);
  if (!head.subarray(0, signatureBytes).equals(SIGNATURE.subarray(0, signatureBytes))) {
    throw optionError("cache", `file ${path} exists and is not a trawl cache; it is left as it is (name a new file or a cache)`);
  }
  if (size < FILE_HEADER_BYTES) return "fresh";
  const version = head.readUInt32LE(SIGNATURE.length);
  return version === FORMAT_VERSION ? "current" : { version };
}

/** Opens (or creates) the cache file at `path` and indexes its entries; throws a UsageError naming `cache`. */
export function loadCache(path: string, settings: LoadSettings): LoadedCache {
  const fd = openOrCreate(path);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw optionError("cache", `${path} is not a regular file`);
    const header = checkHeader(fd, path, stats.size);
    if (header !== "current") {
      reset(fd);
      const warning =
        header === "fresh"
          ? null
          : `cache file ${path} was written by another version of trawl (format ${header.version}, this one reads ${FORMAT_VERSION}); starting a fresh cache`;
      return { fd, end: FILE_HEADER_BYTES, table: new EntryTable(), garbageBytes: 0, warning };
    }
    return { fd, ...scanFrames(fd, path, stats.size, settings) };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * Indexes every whole frame. The file ending inside a frame is what `kill -9` leaves: that tail is
 * cut off quietly. A frame whose checksum fails is damage: it and everything after are cut off
 * (frames are found only by walking lengths), with a warning.
 */
function scanFrames(fd: number, path: string, size: number, settings: LoadSettings): Omit<LoadedCache, "fd"> {
  const table = new EntryTable();
  const window = new FileWindow(fd, size);
  let garbageBytes = 0;
  let position = FILE_HEADER_BYTES;
  let damaged = false;
  // Read ahead about 32 frames of the size seen so far: small frames come a window at a time,
  // large ones cost a short read for their header instead of a window of payload skipped over.
  let averageFrameBytes = 1024;
  let frames = 0;
  while (position < size) {
    const readAhead = Math.max(4096, Math.round(averageFrameBytes) * 32);
    const view = window.view(position, FRAME_HEADER_BYTES, readAhead);
    if (view === null) break; // a header cut short
    const header = readFrameHeader(view, 0);
    if (header === null) {
      damaged = true;
      break;
    }
    const frameBytes = FRAME_HEADER_BYTES + header.payloadBytes;
    if (position + frameBytes > size) break; // a payload cut short
    const seenAt = Math.min(header.seenAtSeconds, settings.nowSeconds);
    if (header.kind === FrameKind.entry) {
      garbageBytes += table.put(header.high, header.low, position, frameBytes, seenAt);
    } else {
      const payload = window.view(position + FRAME_HEADER_BYTES, header.payloadBytes, readAhead);
      if (payload === null || !payloadIntact(header, payload)) {
        damaged = true;
        break;
      }
      if (header.kind === FrameKind.seen) {
        for (let at = 0; at + 8 <= payload.length; at += 8) {
          const slot = table.find(payload.readUInt32LE(at), payload.readUInt32LE(at + 4));
          if (slot !== -1) table.see(slot, seenAt);
        }
      } else {
        const slot = table.find(header.high, header.low);
        if (slot !== -1) garbageBytes += table.removeSlot(slot);
      }
      garbageBytes += frameBytes;
    }
    position += frameBytes;
    frames++;
    averageFrameBytes += (frameBytes - averageFrameBytes) / Math.min(frames, 64);
    // A million entries would double the table ten times on the way; guess the count once instead.
    if (frames === 4096) {
      table.reserve(Math.ceil(((size - FILE_HEADER_BYTES) / (position - FILE_HEADER_BYTES)) * table.size));
    }
  }
  if (position < size) ftruncateSync(fd, position);
  garbageBytes += table.removeSeenBefore(settings.oldestSeconds);
  const warning = damaged
    ? `cache file ${path} is damaged at byte ${position}: the ${size - position} bytes from there are dropped, the ${table.size} entries before kept`
    : null;
  return { end: position, table, garbageBytes, warning };
}
