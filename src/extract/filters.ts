/**
 * Filters after ` | ` in a field (SPEC §3): `number`, `int`, `re:<regex>`, `json`, `lower`, `upper`,
 * chained left to right. A filter that finds nothing gives null, never an error: the page decides
 * what is there, and a missing price is a value, not a failed record.
 */
import { UsageError } from "../errors.js";
import type { ExtractedValue } from "../record.js";

/** One filter of a field's chain, as written; plain data, so that a plan can go to a parse thread. */
export type FilterSpec = { name: "number" | "int" | "json" | "lower" | "upper" } | { name: "re"; source: string };

/** The filter names, for messages. */
export const FILTER_NAMES = ["number", "int", "re:<regex>", "json", "lower", "upper"] as const;

/**
 * JSON nested deeper than this gives null: a record is written with JSON.stringify and sent between
 * threads by structured clone, and both recurse once per level (100,000 levels overflow the stack).
 */
export const MAX_JSON_DEPTH = 512;

/** Parses one filter (`number`, `re:\d+`), throwing a UsageError that names `option` when it is unknown or its regex does not compile. */
export function parseFilter(text: string, option: string): FilterSpec {
  const filter = text.trim();
  if (filter.startsWith("re:")) {
    const source = filter.slice(3);
    if (source === "") throw new UsageError(`${option}: the filter "re:" needs a regular expression after the colon`, { option });
    try {
      new RegExp(source);
    } catch (error) {
      throw new UsageError(`${option}: the regular expression of "| ${filter}" does not compile (${(error as Error).message})`, { option });
    }
    return { name: "re", source };
  }
  if (filter === "number" || filter === "int" || filter === "json" || filter === "lower" || filter === "upper") return { name: filter };
  throw new UsageError(`${option}: unknown filter "${filter}" (the filters are ${FILTER_NAMES.join(", ")})`, { option });
}

// The first number: digits with optional thousands commas and decimals (`1,299.50`), or `.5`; a minus
// counts when it starts a word (`-3`, not the dash of `item-3` or `2020-2021`).
const NUMBER = /(?:(?<![\w.])[-\u2212])?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|(?:(?<![\w.])[-\u2212])?\.\d+/;

/** The first number in `text` (`1,299.50` → 1299.5), or null when it holds none. */
export function firstNumber(text: string): number | null {
  const match = NUMBER.exec(text);
  if (!match) return null;
  const value = Number(match[0].replace(/,/g, "").replace("\u2212", "-"));
  return Number.isFinite(value) ? value : null;
}

/** True when `value` nests no deeper than `limit` arrays and objects; walks without recursion. */
function shallowEnough(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next;
    if (node === null || typeof node !== "object") continue;
    if (depth >= limit) return false;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return true;
}

/** `text` parsed as JSON, or null when it is not JSON (or nests too deep to be written back out). */
export function parseJson(text: string): ExtractedValue {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return shallowEnough(value, MAX_JSON_DEPTH) ? (value as ExtractedValue) : null;
}

/** Filters read text: a string as it is, a number or boolean as written; null, arrays and objects have none. */
function asText(value: ExtractedValue): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

type Filter = (value: ExtractedValue) => ExtractedValue;

function compileFilter(spec: FilterSpec): Filter {
  switch (spec.name) {
    case "number":
      return (value) => {
        const text = asText(value);
        return text === null ? null : firstNumber(text);
      };
    case "int":
      return (value) => {
        const text = asText(value);
        const number = text === null ? null : firstNumber(text);
        return number === null ? null : Math.trunc(number);
      };
    case "json":
      return (value) => {
        const text = asText(value);
        return text === null ? null : parseJson(text);
      };
    case "lower":
      return (value) => asText(value)?.toLowerCase() ?? null;
    case "upper":
      return (value) => asText(value)?.toUpperCase() ?? null;
    case "re": {
      const pattern = new RegExp(spec.source);
      return (value) => {
        const text = asText(value);
        const match = text === null ? null : pattern.exec(text);
        if (!match) return null;
        // The first capture group when there is one (null when it took no part), else the whole match.
        return match.length > 1 ? (match[1] ?? null) : match[0];
      };
    }
  }
}

/** The chain as one function, or null when there are no filters (the common case costs nothing). */
export function compileFilters(specs: readonly FilterSpec[]): Filter | null {
  if (specs.length === 0) return null;
  const filters = specs.map(compileFilter);
  return (value) => {
    let result = value;
    for (const filter of filters) {
      if (result === null) return null;
      result = filter(result);
    }
    return result;
  };
}
