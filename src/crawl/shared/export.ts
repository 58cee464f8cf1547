import { randomBytes } from "node:crypto";
import { type FileHandle, open } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { UsageError } from "../../errors.js";
import { JobKeys } from "./job-keys.js";
import { removeJobKeys } from "./job-status.js";
import { LuaScript, RedisLink, type RedisLinkOptions } from "./redis-link.js";

/**
 * Exports a job's committed records to one NDJSON file, exactly one line per page, resumable from
 * any machine that has the file. Each round reads a batch from the record stream after the cursor,
 * appends it to the file, fsyncs, then (one atomic step) stores the new cursor and file length and
 * trims the exported entries from Redis, so its memory stays bounded. An exporter killed between
 * the fsync and that step leaves lines past the stored length: the next run reads them back and
 * skips the stream entries they hold; a torn last line is cut off.
 */

/** KEYS: export state, records, lock. ARGV: holder, last id, first id to keep, file bytes, lock ms. */
const MARK_EXPORTED = new LuaScript(`
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'cursor', ARGV[2], 'bytes', ARGV[4])
redis.call('XTRIM', KEYS[2], 'MINID', '=', ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
return 1
`);

/**
 * KEYS: epoch, queue, leased, counts, records. ARGV: cursor. {crawl done, records after cursor}
 * in one reading: done then empty means no record can come any more.
 */
const EXPORT_STATE = new LuaScript(`
local offered = tonumber(redis.call('HGET', KEYS[4], 'offered') or '0')
local done = redis.call('EXISTS', KEYS[1]) == 1 and offered > 0
  and redis.call('LLEN', KEYS[2]) == 0 and redis.call('HLEN', KEYS[3]) == 0
local after = redis.call('XRANGE', KEYS[5], '(' .. ARGV[1], '+', 'COUNT', 1)
if done then return {1, #after} end
return {0, #after}
`);

/** KEYS: lock. ARGV: holder, lock ms. Takes or extends the lock: 1 when it is this holder's. */
const LOCK = new LuaScript(`
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`);

/** KEYS: lock. ARGV: holder. */
const UNLOCK = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

export interface ExportOptions extends RedisLinkOptions {
  job: string;
  /** The NDJSON file: created when missing, appended to when resuming. */
  file: string;
  /** Keep the job's keys after a complete export (else they are removed). @default false */
  keep?: boolean;
  /** Wait for the crawl to end, exporting as records come, rather than stop when caught up. @default false */
  follow?: boolean;
  /** Records read, written and fsynced per round. @default 1000 */
  batchSize?: number;
  /** How long the exporter's lock lasts unless renewed; another exporter waits up to twice that. @default 10000 */
  lockMs?: number;
  /** Longest pause between two looks at the job while following. @default 1000 */
  maxPollMs?: number;
  /** Stops the export after the round in progress (the result is then not complete). */
  signal?: AbortSignal;
  /** Called after each round is on disk, before it is marked exported in Redis. */
  onWritten?: (progress: { written: number }) => void;
}

export interface ExportResult {
  /** Lines this run appended. */
  written: number;
  /** The crawl is done and every record is in the file. */
  complete: boolean;
  /** The job's keys were removed (complete, and not `keep`). */
  removed: boolean;
}

type StreamEntry = [id: string, fields: string[]];

/** The id right after `id` (`ms-seq`), for XTRIM MINID. */
function nextId(id: string): string {
  const [ms, seq] = id.split("-");
  return `${ms}-${Number(seq) + 1}`;
}

async function takeLock(link: RedisLink, keys: JobKeys, job: string, holder: string, lockMs: number, signal?: AbortSignal): Promise<void> {
  // A killed exporter's lock expires within lockMs; a live one keeps renewing it.
  const deadline = Date.now() + 2 * lockMs;
  while ((await link.run<number>(LOCK, [keys.exportLock], [holder, lockMs])) !== 1) {
    if (Date.now() > deadline) {
      throw new UsageError(`job "${job}" is being exported by another process`, { option: "export" });
    }
    await sleep(Math.min(250, lockMs / 4), undefined, signal ? { signal } : {});
  }
}

/** Writes all of `text` at the end of the file. */
async function append(file: FileHandle, text: string): Promise<number> {
  const bytes = Buffer.from(text);
  for (let done = 0; done < bytes.length; ) done += (await file.write(bytes, done, bytes.length - done)).bytesWritten;
  await file.sync();
  return bytes.length;
}

/**
 * Reads back what a killed exporter wrote past the stored length: its whole lines (to skip in the
 * stream) and the file's length once a torn last line is cut off.
 */
async function readUnmarked(file: FileHandle, markedBytes: number, size: number): Promise<{ lines: Map<string, number>; size: number }> {
  const lines = new Map<string, number>();
  if (size === markedBytes) return { lines, size };
  const tail = Buffer.alloc(size - markedBytes);
  await file.read(tail, 0, tail.length, markedBytes);
  const end = tail.lastIndexOf(0x0a) + 1;
  for (const line of tail.subarray(0, end).toString("utf8").split("\n")) {
    if (line !== "") lines.set(line, (lines.get(line) ?? 0) + 1);
  }
  if (end < tail.length) {
    await file.truncate(markedBytes + end);
    await file.sync();
  }
  return { lines, size: markedBytes + end };
}

/** Opens the export file and checks it is the one this job's export has been writing. */
async function openExportFile(
  path: string,
  job: string,
  markedBytes: number,
): Promise<{ file: FileHandle; size: number; unmarked: Map<string, number> }> {
  const file = await open(path, "a+");
  try {
    const { size } = await file.stat();
    if (size < markedBytes) {
      throw new UsageError(
        `export file ${path} holds ${size} bytes, but job "${job}" has already exported ${markedBytes} bytes to its file: resume with that file`,
        { option: "export" },
      );
    }
    if (size === 0) {
      // A new file: its directory entry must survive a crash too.
      const folder = await open(dirname(path), "r");
      await folder.sync().finally(() => folder.close());
    }
    const { lines, size: kept } = await readUnmarked(file, markedBytes, size);
    return { file, size: kept, unmarked: lines };
  } catch (error) {
    await file.close();
    throw error;
  }
}

/** Exports the job's committed records to `options.file`; see the module comment. */
export async function exportRecords(options: ExportOptions): Promise<ExportResult> {
  const keys = new JobKeys(options.job);
  const lockMs = options.lockMs ?? 10_000;
  const batchSize = options.batchSize ?? 1000;
  const link = await RedisLink.connect(options);
  const holder = randomBytes(8).toString("hex");
  try {
    if ((await link.call<number>(["EXISTS", keys.epoch])) === 0) {
      throw new UsageError(`no job "${options.job}" at ${link.url} (never opened, or removed after a complete export)`, {
        option: "job",
      });
    }
    await takeLock(link, keys, options.job, holder, lockMs, options.signal);
    try {
      const result = await exportLocked(link, keys, holder, { ...options, lockMs, batchSize });
      if (result.complete && !options.keep) {
        await removeJobKeys(link, keys);
        return { ...result, removed: true };
      }
      return result;
    } finally {
      await link.run(UNLOCK, [keys.exportLock], [holder]).catch(() => {});
    }
  } finally {
    await link.close();
  }
}

async function exportLocked(
  link: RedisLink,
  keys: JobKeys,
  holder: string,
  options: ExportOptions & { lockMs: number; batchSize: number },
): Promise<ExportResult> {
  const [storedCursor, storedBytes] = await link.call<[string | null, string | null]>(["HMGET", keys.export, "cursor", "bytes"]);
  let cursor = storedCursor ?? "0-0";
  const opened = await openExportFile(options.file, options.job, Number(storedBytes ?? 0));
  const { file, unmarked } = opened;
  let size = opened.size;
  let written = 0;
  try {
    for (let pauseMs = 20; !options.signal?.aborted; ) {
      const entries = await link.call<StreamEntry[]>(["XRANGE", keys.records, `(${cursor}`, "+", "COUNT", options.batchSize]);
      const last = entries.at(-1);
      if (last) {
        const lines: string[] = [];
        for (const [, fields] of entries) {
          const line = fields[1] as string;
          const pending = unmarked.get(line) ?? 0;
          if (pending > 0) unmarked.set(line, pending - 1);
          else lines.push(line);
        }
        if (lines.length > 0) size += await append(file, `${lines.join("\n")}\n`);
        written += lines.length;
        options.onWritten?.({ written });
        const marked = await link.run<number>(
          MARK_EXPORTED,
          [keys.export, keys.records, keys.exportLock],
          [holder, last[0], nextId(last[0]), size, options.lockMs],
        );
        if (marked !== 1) throw new Error(`the export of job "${options.job}" was taken over by another process`);
        cursor = last[0];
        pauseMs = 20;
        continue;
      }
      const [done, after] = await link.run<[number, number]>(
        EXPORT_STATE,
        [keys.epoch, keys.queue, keys.leased, keys.counts, keys.records],
        [cursor],
      );
      if (done === 1 && after === 0) return { written, complete: true, removed: false };
      if (!options.follow) break;
      await link.run(LOCK, [keys.exportLock], [holder, options.lockMs]);
      await sleep(pauseMs, undefined, options.signal ? { signal: options.signal } : {}).catch(() => {});
      pauseMs = Math.min(pauseMs * 2, options.maxPollMs ?? 1000);
    }
    return { written, complete: false, removed: false };
  } finally {
    await file.close();
  }
}
