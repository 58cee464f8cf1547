import { JobKeys } from "./job-keys.js";
import { READ_STATE } from "./queue-scripts.js";
import { RedisLink, type RedisLinkOptions } from "./redis-link.js";

/** A job's counts at one instant. */
export interface FrontierStatus {
  /** False when no job of that name exists (never opened, or removed after a complete export). */
  exists: boolean;
  /** Entries waiting to be claimed. */
  queued: number;
  /** Entries leased to a worker now. */
  claimed: number;
  /** Entries ever queued (input URLs and new links). */
  offered: number;
  /** Pages committed, ok or not. */
  committed: number;
  /** Committed pages whose record is not ok. */
  failed: number;
  /** Claims that expired and went back to the queue (a worker died or stalled). */
  reclaimed: number;
  /** Workers that ever opened the job. */
  workersSeen: number;
  /** Workers whose heartbeat is recent (within their lease). */
  workersLive: number;
  /** Committed records not yet exported. */
  unexported: number;
  /** Something was queued, and nothing is queued or claimed any more. */
  done: boolean;
}

/** A status and the bits the frontier needs beside it. */
export interface JobState {
  status: FrontierStatus;
  /** The epoch of the job now, '' when it does not exist. */
  epoch: string;
  /** Milliseconds until the next lease expires, or -1 when none is held. */
  nextExpiryMs: number;
}

/** Reads the job's state in one atomic step. */
export async function readJobState(link: RedisLink, keys: JobKeys): Promise<JobState> {
  const reply = await link.run<[string, ...number[]]>(READ_STATE, [
    keys.epoch,
    keys.queue,
    keys.leased,
    keys.leases,
    keys.counts,
    keys.workers,
    keys.records,
  ]);
  const [epoch, queued, claimed, offered, committed, failed, reclaimed, workersSeen, workersLive, unexported, nextExpiryMs] = reply.map(
    (value, i) => (i === 0 ? value : Number(value)),
  ) as [string, ...number[]];
  const exists = epoch !== "";
  const status: FrontierStatus = {
    exists,
    queued: queued ?? 0,
    claimed: claimed ?? 0,
    offered: offered ?? 0,
    committed: committed ?? 0,
    failed: failed ?? 0,
    reclaimed: reclaimed ?? 0,
    workersSeen: workersSeen ?? 0,
    workersLive: workersLive ?? 0,
    unexported: unexported ?? 0,
    done: exists && (offered ?? 0) > 0 && queued === 0 && claimed === 0,
  };
  return { status, epoch, nextExpiryMs: nextExpiryMs ?? -1 };
}

/** The counts of a job, read without joining it as a worker (as `--status` does). */
export async function jobStatus(options: RedisLinkOptions & { job: string }): Promise<FrontierStatus> {
  const keys = new JobKeys(options.job);
  const link = await RedisLink.connect(options);
  try {
    return (await readJobState(link, keys)).status;
  } finally {
    await link.close();
  }
}

/** Deletes every key of the job (SCAN over its prefix, UNLINK in batches). Returns how many. */
export async function removeJobKeys(link: RedisLink, keys: JobKeys): Promise<number> {
  let removed = 0;
  let cursor = "0";
  do {
    const [next, found] = await link.call<[string, string[]]>(["SCAN", cursor, "MATCH", `${keys.prefix}*`, "COUNT", 1000]);
    cursor = next;
    if (found.length > 0) removed += await link.call<number>(["UNLINK", ...found]);
  } while (cursor !== "0");
  return removed;
}
