import { UsageError } from "../../errors.js";
import type { JsonValue } from "./queue-entry.js";

/**
 * A job's settings, stored by the first worker that opens it. Every later worker must bring the
 * same ones: workers crawling one job with different scopes or selectors would give a set of
 * records no single run could have made.
 */
export interface JobSettings {
  config: { [key: string]: JsonValue };
  /** Entries queued at most over the whole job; null for no limit. */
  maxPages: number | null;
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (isObject(a) && isObject(b)) return differingKeys(a, b).length === 0;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  return a === b;
}

/** The dotted paths where two objects differ (nested objects compared key by key, order aside). */
export function differingKeys(a: { [key: string]: JsonValue }, b: { [key: string]: JsonValue }, prefix = ""): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const differing: string[] = [];
  for (const key of keys) {
    const left = a[key];
    const right = b[key];
    if (isObject(left) && isObject(right)) differing.push(...differingKeys(left, right, `${prefix}${key}.`));
    else if (!sameJson(left, right)) differing.push(`${prefix}${key}`);
  }
  return differing;
}

/** Throws a UsageError naming the keys where `given` differs from the job's stored settings. */
export function checkSameSettings(job: string, stored: JobSettings, given: JobSettings): void {
  const differing = differingKeys(stored.config, given.config);
  if (stored.maxPages !== given.maxPages) differing.push("maxPages");
  if (differing.length === 0) return;
  throw new UsageError(
    `the job "${job}" already exists with another configuration (differs in ${differing.join(", ")}): use the same settings or another job name`,
    { option: "job" },
  );
}
