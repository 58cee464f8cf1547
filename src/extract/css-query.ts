/**
 * Selector search with cheerio's semantics at a fraction of its cost per call. cheerio's `$(selector)`
 * and `.find(selector)` parse and compile the selector on every call and wrap every result: on a
 * page of 100,000 items, a field costs 100,000 compilations. Here a selector that cheerio would
 * hand whole to css-select (no positional filter such as `:first`, no leading combinator, nothing
 * that looks like HTML) is compiled once with css-select, with the options cheerio-select passes
 * it, and run in any scope; anything else goes through cheerio itself.
 */
import { type CheerioAPI, load } from "cheerio/slim";
import { compile, selectAll, selectOne } from "css-select";
import { parse, type Selector } from "css-what";
import type { AnyNode, Document, Element } from "domhandler";
import { isTag } from "domutils";
import { parseHtml } from "./parse-html.js";

/** A selector ready to search a scope: the document, or an element (its descendants). */
export interface Query {
  all(scope: Document | Element, document: Document): AnyNode[];
  first(scope: Document | Element, document: Document): AnyNode | null;
}

/** cheerio-select's positional filters (positionals.ts), which it resolves itself. */
export const POSITIONAL: ReadonlySet<string> = new Set(["first", "last", "eq", "gt", "nth", "lt", "even", "odd"]);
const TRAVERSALS = new Set(["descendant", "child", "parent", "sibling", "adjacent", "column-combinator"]);

/**
 * True when a list of compounds reads the same whatever the scope it is compiled for: no positional
 * filter (cheerio's own), no `:scope` and no compound that starts with a combinator, at any depth
 * (`:not(> a)`). Those depend on what cheerio passes as the context; they go through cheerio.
 */
function scopeFree(compounds: readonly Selector[][]): boolean {
  return compounds.every((compound) => {
    if (TRAVERSALS.has(compound[0]?.type ?? "")) return false;
    return compound.every((token) => {
      if (token.type !== "pseudo") return true;
      if (POSITIONAL.has(token.name) || token.name === "scope") return false;
      return !Array.isArray(token.data) || scopeFree(token.data);
    });
  });
}

/** cheerio's own test (utils.ts `isHtml`): a string with a tag in it is parsed as HTML, not searched for. */
function looksLikeHtml(selector: string): boolean {
  const start = selector.indexOf("<");
  if (start === -1 || start > selector.length - 3) return false;
  return /[A-Za-z!]/.test(selector[start + 1] ?? "") && selector.includes(">", start + 2);
}

/** True when cheerio would pass `selector` to css-select as it is. */
function compilable(selector: string): boolean {
  if (looksLikeHtml(selector)) return false;
  let compounds: Selector[][];
  try {
    compounds = parse(selector);
  } catch {
    return false;
  }
  return scopeFree(compounds);
}

/**
 * css-select's query for `selector` as cheerio-select compiles it for a scope: cheerio passes the
 * scope as the context, and css-select makes the selector relative to it (`:scope h3 a`) when the
 * scope is an element inside another. The compiled query reads the context array when it runs, so
 * one query, compiled for the first such scope, serves every other.
 */
function relativeQuery(selector: string, first: Element): Query {
  const context: Element[] = [first];
  const query = compile<AnyNode, Element>(selector, { xmlMode: false, context });
  // Between searches the context holds an element of no page, so that no page's tree is kept alive.
  const search = <T>(scope: Element, run: () => T): T => {
    context[0] = scope;
    try {
      return run();
    } finally {
      context[0] = detached();
    }
  };
  context[0] = detached();
  return {
    all: (scope) => search(scope as Element, () => selectAll(query, scope)),
    first: (scope) => search(scope as Element, () => selectOne(query, scope)),
  };
}

let placeholder: Element | undefined;
const detached = (): Element => {
  placeholder ??= parseHtml("<i></i>").children[0] as Element;
  return placeholder;
};

/** The same for the document, or an element at the top (no context to be relative to): the selector as it is. */
function plainQuery(selector: string): Query {
  const query = compile<AnyNode, Element>(selector, { xmlMode: false });
  return { all: (scope) => selectAll(query, scope), first: (scope) => selectOne(query, scope) };
}

/** One cheerio instance for every page: `cheerio.load()` per page is what costs. */
let cheerio: CheerioAPI | undefined;

/**
 * The query through cheerio: `$(selector)` for the document (the search `load(html)` then
 * `$(selector)` makes, quirks included: a selector that looks like HTML is taken as HTML), and
 * `$(element).find(selector)` inside an element (where a selector is always a selector).
 */
function cheerioQuery(selector: string): Query {
  const all = (scope: Document | Element, document: Document): AnyNode[] => {
    cheerio ??= load("");
    // The document is the root: cheerio-select resolves some selectors (a `:not()` holding a
    // positional filter and a combinator) from the root, not the context.
    if (!isTag(scope)) return cheerio(selector, scope, document).toArray();
    return cheerio(scope, null, document).find(selector).toArray();
  };
  return { all, first: (scope, document) => all(scope, document)[0] ?? null };
}

interface Compiled {
  compilable: boolean;
  plain?: Query;
  relative?: Query;
}

const queries = new Map<string, Compiled>();

/**
 * The query for `selector` in `scope`: every match in document order (or the first), as cheerio
 * gives it: `load(html)` then `$(selector)` for the document, `$(element).find(selector)` inside one.
 */
export function queryFor(selector: string, scope: Document | Element): Query {
  let compiled = queries.get(selector);
  if (!compiled) {
    compiled = { compilable: compilable(selector) };
    queries.set(selector, compiled);
  }
  if (!compiled.compilable) {
    compiled.plain ??= cheerioQuery(selector);
    return compiled.plain;
  }
  // css-select's test for a context to be relative to: an element whose parent is an element.
  if (isTag(scope) && scope.parent !== null && isTag(scope.parent)) {
    compiled.relative ??= relativeQuery(selector, scope);
    return compiled.relative;
  }
  compiled.plain ??= plainQuery(selector);
  return compiled.plain;
}
