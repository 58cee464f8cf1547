/**
 * The library's commands on a shared crawl's job (SPEC §11), for the barrel: each loads the Redis
 * client only when called, so importing the library never does.
 */
import type { ExportOptions, ExportResult } from "./export.js";
import type { FrontierStatus } from "./job-status.js";
import type { RedisLinkOptions } from "./redis-link.js";

export type { ExportOptions as ExportJobOptions, ExportResult as ExportJobResult } from "./export.js";
export type { FrontierStatus as JobStatus } from "./job-status.js";

/**
 * Writes the job's committed records to one NDJSON file, exactly one line per page, from any
 * machine, during or after the crawl; run it again to continue where it stopped. Once the crawl is
 * over and every record is in the file, the job's keys are removed unless `keep`.
 */
export async function exportJob(options: ExportOptions): Promise<ExportResult> {
  const { exportRecords } = await import("./export.js");
  return exportRecords(options);
}

/** The job's counts (queued, claimed, committed, failed, workers seen…), read without joining it. */
export async function jobStatus(options: RedisLinkOptions & { job: string }): Promise<FrontierStatus> {
  const { jobStatus: readStatus } = await import("./job-status.js");
  return readStatus(options);
}
