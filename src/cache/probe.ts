import { closeSync, fstatSync } from "node:fs";
import { optionError } from "../errors.js";
import { checkHeader, openOrCreate } from "./load.js";
import { lockCacheFile } from "./lock.js";

/**
 * Checks, at once and without reading its entries, what `ResponseCache.open` would refuse: a path
 * in a missing folder, a folder, a file that is not a cache, a file another process holds. Throws
 * the same UsageError naming `cache`; a missing file is created (empty: a fresh cache). For a
 * caller that must know before it does anything else (the CLI, before it opens its output).
 */
export function checkCacheFile(path: string): void {
  const lock = lockCacheFile(path);
  try {
    const fd = openOrCreate(path);
    try {
      const stats = fstatSync(fd);
      if (!stats.isFile()) throw optionError("cache", `${path} is not a regular file`);
      checkHeader(fd, path, stats.size);
    } finally {
      closeSync(fd);
    }
  } finally {
    lock.release();
  }
}
