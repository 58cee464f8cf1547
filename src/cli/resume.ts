import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { HashSet64 } from "../urls/seen-set.js";

/** What an earlier run left in its NDJSON output. */
export interface ResumeState {
  /** The `url` of every complete record: the normalised URL, or the raw line for a bad one. */
  done: HashSet64;
  /** How many complete records were found. */
  records: number;
}

/**
 * Makes an NDJSON output file safe to append to after a crash: a last line cut off mid-write
 * (no final newline) is removed, so the next record starts on a line of its own.
 */
export async function cutPartialLine(path: string): Promise<void> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return; // no file yet: nothing to repair
  }
  if (size === 0) return;
  const handle = await open(path, "r+");
  try {
    // Walk back from the end to the last newline, 64 KiB at a time.
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      const newline = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (newline !== -1) {
        const keep = start + newline + 1;
        if (keep < size) await handle.truncate(keep);
        return;
      }
      end = start;
    }
    await handle.truncate(0);
  } finally {
    await handle.close();
  }
}

/**
 * Reads the records already in an NDJSON output file (after `cutPartialLine`), streaming, and
 * remembers their URLs as 64-bit hashes: resuming a run of millions costs a few MB.
 */
export async function readResumeState(path: string): Promise<ResumeState> {
  const done = new HashSet64();
  let records = 0;
  try {
    await stat(path);
  } catch {
    return { done, records };
  }
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    let url: unknown;
    try {
      url = (JSON.parse(line) as { url?: unknown }).url;
    } catch {
      continue; // not a record (a line damaged some other way): its URL is fetched again
    }
    if (typeof url === "string") {
      done.add(url);
      records++;
    }
  }
  return { done, records };
}
