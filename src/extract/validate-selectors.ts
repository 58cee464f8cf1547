import { type CheerioAPI, load } from "cheerio/slim";
import { parse, type Selector, SelectorType, stringify } from "css-what";
import { UsageError } from "../errors.js";
import { POSITIONAL } from "./css-query.js";
import type { ExtractionPlan, FieldPlan } from "./plan.js";
import { describeSelectorFault } from "./selector-errors.js";

// After one of cheerio's positional filters, the rest of a selector is compiled only once the filter
// has matched something, so an empty document never checks it.

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

/** Where a selector searches: the document (`$(selector)`), or inside an item's element (`.find(selector)`). */
export type SelectorScope = "document" | "element";

function check($: CheerioAPI, selector: string, scope: SelectorScope, depth: number): void {
  // Throws when cheerio cannot compile it. At the document, a string cheerio takes as HTML gives
  // elements even on an empty document: there is no selector to check further then.
  const found = scope === "document" ? $(selector) : $.root().find(selector);
  if (found.length > 0 || depth > 8) return;
  for (const part of deferredParts(selector)) check($, part, scope, depth + 1);
}

/**
 * Throws a UsageError naming `option` when `selector` is not valid CSS for cheerio, in any of its
 * parts: `select.x: invalid selector "div[" at character 5: expected a name`.
 */
export function validateSelector(selector: string, option: string, scope: SelectorScope = "document", $: CheerioAPI = load("")): void {
  try {
    check($, selector, scope, 0);
  } catch (error) {
    throw new UsageError(`${option}: ${describeSelectorFault(selector, (error as Error)?.message ?? String(error))}`, { option });
  }
}

/** Checks every selector of a plan (fields at any depth, `each`, `follow`), naming the first bad one's option. */
export function validatePlan(plan: ExtractionPlan): void {
  const $ = load("");
  const checked = new Set<string>();
  const validate = (selector: string, option: string, scope: SelectorScope) => {
    if (checked.has(`${scope} ${selector}`)) return;
    validateSelector(selector, option, scope, $);
    checked.add(`${scope} ${selector}`);
  };
  // Depth first, in the order given, so the first bad field reported is the first one written.
  const fields: [FieldPlan, SelectorScope][] = plan.fields.map((field): [FieldPlan, SelectorScope] => [field, "document"]).reverse();
  for (let next = fields.pop(); next !== undefined; next = fields.pop()) {
    const [field, scope] = next;
    if (field.selector !== null) validate(field.selector, field.option, scope);
    if (field.fields) fields.push(...field.fields.map((inner): [FieldPlan, SelectorScope] => [inner, "element"]).reverse());
  }
  for (const follow of plan.follow) validate(follow.selector, follow.option, "document");
}
