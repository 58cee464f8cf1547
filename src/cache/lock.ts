import { closeSync, openSync, readFileSync, rmSync, statSync, utimesSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { optionError } from "../errors.js";

/**
 * One process at a time per cache file: two appending to one file would write over each other's
 * frames. A second process is refused (each CI shard keeps its own file). The lock is a file next
 * to the cache, `<file>.lock`, naming its holder; it is refreshed while held, so a lock left by a
 * process that died (`kill -9`) is taken over: its process is gone, it was made on another machine
 * (a file restored by CI's cache step), or it has not been refreshed for LOCK_STALE_MS.
 */

/** How often a held lock's time is refreshed. */
const LOCK_REFRESH_MS = 20_000;
/** A lock not refreshed for this long is taken over even if its process id is alive (ids are reused). */
const LOCK_STALE_MS = 90_000;

// The cache files this process holds: its own process id in a lock proves nothing on its own
// (a container restarted as pid 1 finds its predecessor's lock with the same id).
const held = new Set<string>();

interface LockOwner {
  pid: number;
  host: string;
}

export interface CacheLock {
  release(): void;
}

function readOwner(lockPath: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(lockPath, "utf8")) as Partial<LockOwner>;
    return typeof owner.pid === "number" && typeof owner.host === "string" ? { pid: owner.pid, host: owner.host } : null;
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function lockAgeMs(lockPath: string): number {
  try {
    return Date.now() - statSync(lockPath).mtimeMs;
  } catch {
    return 0;
  }
}

/** True when the lock's holder is gone, so its lock may be taken over. */
function isStale(lockPath: string, owner: LockOwner | null): boolean {
  if (owner === null) return true; // unreadable or half-written: its writer died before finishing
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return !held.has(lockPath);
  return !processAlive(owner.pid) || lockAgeMs(lockPath) > LOCK_STALE_MS;
}

function tryCreate(lockPath: string, cachePath: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw optionError("cache", `cannot use ${cachePath}: ${(error as Error).message}`);
  }
  try {
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname() }));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Takes the lock of the cache file at `cachePath`, or throws a UsageError naming the option `cache`. */
export function lockCacheFile(cachePath: string): CacheLock {
  const lockPath = `${path.resolve(cachePath)}.lock`;
  if (!tryCreate(lockPath, cachePath)) {
    const owner = readOwner(lockPath);
    if (!isStale(lockPath, owner)) {
      throw optionError(
        "cache",
        `file ${cachePath} is in use by another trawl process (pid ${owner?.pid}); give each process its own cache file`,
      );
    }
    rmSync(lockPath, { force: true });
    if (!tryCreate(lockPath, cachePath)) {
      throw optionError("cache", `file ${cachePath} is in use by another trawl process; give each process its own cache file`);
    }
  }
  held.add(lockPath);
  const timer = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(lockPath, now, now);
    } catch {
      // Removed by hand: the next process may take the file; nothing to do from here.
    }
  }, LOCK_REFRESH_MS);
  timer.unref();
  return {
    release() {
      clearInterval(timer);
      if (!held.delete(lockPath)) return;
      if (readOwner(lockPath)?.pid === process.pid) rmSync(lockPath, { force: true });
    },
  };
}
