/**
 * The shared crawl frontier (SPEC §11): any number of workers, on any number of machines, share
 * one crawl through a Redis 7 server. Loaded only when a run asks for it (nothing imports this
 * folder at start-up). Its parts:
 *
 * - `shared-frontier.ts`  SharedFrontier: a worker's handle: offer, claim, commit, release, wait, status
 * - `frontier-options.ts` its options, checked, with defaults
 * - `queue-scripts.ts`    the queue's atomic steps as Lua scripts (claim, commit, renew, …)
 * - `queue-entry.ts`      what the queue holds (url, depth, parent, payload) and its encoding
 * - `job-keys.ts`         key names under `trawl:{<job>}:`, and the seen-set's buckets of 64-bit hashes
 * - `job-config.ts`       the job's settings, and the message naming what a second worker changed
 * - `job-status.ts`       the job's counts in one reading; removing a job's keys
 * - `host-slots.ts`       per-host concurrency and pace across the fleet, slots that expire
 * - `fleet-robots.ts`     robots.txt fetched once per origin for the fleet, under a short lock
 * - `renewal-timer.ts`    the unref'd timer that renews a worker's claims and slots
 * - `redis-link.ts`       the connection: EVALSHA with fallback, outages waited out, UsageError at open
 * - `export.ts`           committed records to one NDJSON file, exactly once, resumable
 * - `fleet.ts`            joinFleet(): a run's place in the fleet (trawl() loads it for `frontier`)
 * - `shared-crawl.ts`     SharedCrawl: the run's Crawl over the job's queue; records committed with links
 * - `jobs.ts`             exportJob() and jobStatus() for the library barrel, loading Redis only when called
 */
export { type ExportOptions, type ExportResult, exportRecords } from "./export.js";
export type { RobotsOptions } from "./fleet-robots.js";
export type { HostSlot, HostSlotOptions } from "./host-slots.js";
export { type FrontierStatus, jobStatus } from "./job-status.js";
export type { Claim, JsonValue, QueueEntry } from "./queue-entry.js";
export { RedisUnavailableError, type RedisLinkOptions } from "./redis-link.js";
export type { SharedFrontierOptions } from "./frontier-options.js";
export { type CommitRecord, SharedFrontier } from "./shared-frontier.js";
