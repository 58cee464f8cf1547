import { type CheerioAPI, load } from "cheerio/slim";
import { parse, type Selector, SelectorType, stringify } from "css-what";
import { UsageError } from "../errors.js";
import type { SelectField } from "./fields.js";

// cheerio's positional filters (cheerio-select's positionals.ts): the part of a selector after one
// is compiled only once the filter has matched something, so an empty document never checks it.
const POSITIONAL = new Set(["first", "last", "eq", "gt", "nth", "lt", "even", "odd"]);

function isPositional(token: Selector): boolean {
  if (token.type !== "pseudo") return false;
  if (POSITIONAL.has(token.name)) return true;
  return token.name === "not" && Array.isArray(token.data) && token.data.some((inner) => inner.some(isPositional));
}

/**
 * The selectors cheerio compiles only when a positional filter before them has matched: what follows
 * each filter (as `*` plus the rest, which may hold filters of its own) and the insides of a `:not()`
 * that holds one. Checking these on an empty document finds what the page would otherwise find.
 */
function deferredParts(selector: string): string[] {
  const parts: string[] = [];
  for (const compound of parse(selector)) {
    compound.forEach((token, index) => {
      if (!isPositional(token)) return;
      if (token.type === "pseudo" && token.name === "not" && Array.isArray(token.data)) parts.push(stringify(token.data));
      const rest = compound.slice(index + 1);
      if (rest.length > 0) parts.push(stringify([[{ type: SelectorType.Universal, namespace: null }, ...rest]]));
    });
  }
  return parts;
}

function check($: CheerioAPI, selector: string, depth: number): void {
  // Throws when cheerio cannot compile it. A string cheerio takes as HTML gives elements even on
  // an empty document: there is no selector to check further then.
  if ($(selector).length > 0 || depth > 8) return;
  for (const part of deferredParts(selector)) check($, part, depth + 1);
}

/** Throws a UsageError naming the field when its selector is not valid CSS, in any of its parts. */
export function validateSelectors(fields: readonly SelectField[]): void {
  const $ = load("");
  for (const field of fields) {
    try {
      check($, field.selector, 0);
    } catch (error) {
      throw new UsageError(`--select ${field.name}: invalid CSS selector \`${field.selector}\` (${(error as Error).message})`);
    }
  }
}
