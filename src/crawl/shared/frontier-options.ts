import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { optionError } from "../../errors.js";
import type { JobSettings } from "./job-config.js";
import { JobKeys } from "./job-keys.js";
import type { JsonValue } from "./queue-entry.js";
import type { RedisLinkOptions } from "./redis-link.js";

/** How a worker joins a shared crawl. */
export interface SharedFrontierOptions extends RedisLinkOptions {
  /** The job's name: letters, digits, '.', '_', '-'. Its keys live under `trawl:{<job>}:`. */
  job: string;
  /**
   * What shapes the job's records (scope, depth, recipe, selectors…). The first worker stores it;
   * a later worker with a different one is refused, naming the keys that differ.
   */
  config: { [key: string]: JsonValue };
  /** Entries queued at most over the whole job, input included. @default no limit */
  maxPages?: number;
  /** How long a claim (and a host slot) lasts unless renewed; renewed every third of it. @default 60000 */
  leaseMs?: number;
  /** Names this worker in the job's list of workers. @default `<hostname>:<pid>:<random>` */
  workerId?: string;
  /** The longest pause between two looks at the job while `waitForWork` waits. @default 1000 */
  maxPollMs?: number;
}

/** The options checked, with every default filled in. */
export interface FrontierSettings {
  job: string;
  keys: JobKeys;
  /** What the job must have been opened with. */
  given: JobSettings;
  leaseMs: number;
  workerId: string;
  maxPollMs: number;
  /** How long a commit stays known as done, for a retried commit: longer than any retry. */
  markerMs: number;
}

function positiveInteger(option: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!Number.isSafeInteger(result) || result < 1) throw optionError(option, `must be an integer >= 1, got \`${value}\``);
  return result;
}

/** Checks the options, naming the one at fault, and fills in the defaults. */
export function resolveFrontierOptions(options: SharedFrontierOptions): FrontierSettings {
  const leaseMs = positiveInteger("lease", options.leaseMs, 60_000);
  const maxPages = options.maxPages === undefined ? null : positiveInteger("maxPages", options.maxPages, 1);
  return {
    job: options.job,
    keys: new JobKeys(options.job),
    // Round-trip through JSON, as Redis will store it: `undefined` members drop out on both sides.
    given: { config: JSON.parse(JSON.stringify(options.config)), maxPages },
    leaseMs,
    workerId: options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`,
    maxPollMs: positiveInteger("maxPollMs", options.maxPollMs, 1000),
    // Retries of one command stop after outageMs (RedisLink's default: 120 s).
    markerMs: positiveInteger("outageMs", options.outageMs, 120_000) + leaseMs,
  };
}
