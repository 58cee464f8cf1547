/**
 * Parsers for the human-friendly values options take: durations and sizes (SPEC §2).
 * Each returns null for text it does not understand; callers turn that into a UsageError that
 * names the option.
 */

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i;
const DURATION_FACTOR: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `250ms`, `10s`, `2m`, `1h`, `30d` or a bare number of milliseconds → milliseconds. */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text.trim());
  if (!match) return null;
  const unit = (match[2] ?? "ms").toLowerCase();
  const ms = Number(match[1]) * (DURATION_FACTOR[unit] ?? 1);
  return Number.isFinite(ms) ? Math.round(ms) : null;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?$/i;
const SIZE_FACTOR: Record<string, number> = { b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** `512kb`, `10mb`, `1gb` (binary: 1 kb = 1024 bytes) or a bare number of bytes → bytes. */
export function parseSize(text: string): number | null {
  const match = SIZE.exec(text.trim());
  if (!match) return null;
  const unit = (match[2] ?? "b").toLowerCase();
  const bytes = Number(match[1]) * (SIZE_FACTOR[unit] ?? 1);
  return Number.isFinite(bytes) ? Math.floor(bytes) : null;
}

/** A whole number written in decimal digits (no sign, exponent or fraction), else null. */
export function parseWholeNumber(text: string): number | null {
  const trimmed = text.trim();
  return /^\d+$/.test(trimmed) && Number.isSafeInteger(Number(trimmed)) ? Number(trimmed) : null;
}

const RATE = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/i;

/**
 * `10/s`, `30/m`, or a bare number per second → requests per second; null for other text. Whether
 * the rate is usable (> 0) is the library's rule (`ratePerSecond`), checked there once.
 */
export function parseRate(text: string): number | null {
  const match = RATE.exec(text);
  if (!match) return null;
  const count = Number(match[1]);
  return (match[2] ?? "s").toLowerCase().startsWith("m") ? count / 60 : count;
}

/** `k/n` → `{ index: k, count: n }`; null for other text. The range (1 ≤ k ≤ n) is the library's rule (`shard`). */
export function parseShard(text: string): { index: number; count: number } | null {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  return match ? { index: Number(match[1]), count: Number(match[2]) } : null;
}

/**
 * `200-299,403,429` → `[[200, 299], 403, 429]`; null for other text. Whether the statuses are real
 * ones (100-599, ranges in order) is the library's rule (`accept`).
 */
export function parseStatusList(text: string): (number | [number, number])[] | null {
  const parts = text.split(",").map((part) => part.trim());
  const statuses: (number | [number, number])[] = [];
  for (const part of parts) {
    const match = /^(\d{1,3})(?:\s*-\s*(\d{1,3}))?$/.exec(part);
    if (!match) return null;
    statuses.push(match[2] === undefined ? Number(match[1]) : [Number(match[1]), Number(match[2])]);
  }
  return statuses;
}
