import { type CheerioAPI, load } from "cheerio/slim";
import type { AnyNode, Document, Element } from "domhandler";
import { findOne, textContent } from "domutils";
import { parseDocument } from "htmlparser2";
import type { ExtractedValue } from "../record.js";
import type { SelectField } from "./fields.js";

/** What extraction yields for one HTML document (SPEC §3). */
export interface Extraction {
  title: string | null;
  data: Record<string, ExtractedValue>;
}

// Attributes whose value is a URL (HTML Living Standard's URL-valued content attributes).
const URL_ATTRIBUTES = new Set([
  "href",
  "src",
  "action",
  "formaction",
  "cite",
  "poster",
  "data",
  "background",
  "longdesc",
  "manifest",
  "codebase",
  "usemap",
  "icon",
  "ping",
]);

function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function resolveUrl(value: string, base: URL | string): string {
  try {
    return new URL(value.trim(), base).href;
  } catch {
    return value;
  }
}

/** `srcset` is a list of "url descriptor" candidates; resolve each URL and keep its descriptor. */
function resolveSrcset(value: string, base: URL): string {
  return value
    .split(",")
    .map((candidate) => {
      const [url = "", ...descriptor] = candidate.trim().split(/\s+/);
      return url ? [resolveUrl(url, base), ...descriptor].join(" ") : "";
    })
    .filter(Boolean)
    .join(", ");
}

/** True for an element with an `<svg>` ancestor. */
function insideSvg(element: Element): boolean {
  for (let parent = element.parent; parent !== null; parent = parent.parent) {
    if ((parent as Element).name === "svg") return true;
  }
  return false;
}

/**
 * The document's `<title>`: the first one that is not an SVG's (`title:not(svg title)`), found by a
 * walk that stops at it rather than by two selector passes over the whole document.
 */
function titleElementOf(document: Document): Element | null {
  return findOne((element) => element.name === "title" && !insideSvg(element), document.children);
}

/** The document's base URL: `<base href>` resolved against the response URL (HTML §2.4.1), parsed once. */
function documentBase(document: Document, finalUrl: string): URL {
  const element = findOne((candidate) => candidate.name === "base" && candidate.attribs.href !== undefined, document.children);
  const href = element?.attribs.href;
  const base = href === undefined ? finalUrl : resolveUrl(href, finalUrl);
  try {
    return new URL(base);
  } catch {
    return new URL(finalUrl);
  }
}

/** One cheerio instance for every page: `cheerio.load()` per page is what costs. */
let cheerio: CheerioAPI | undefined;

/**
 * Every match of `selector` in `document`, in document order. This is cheerio's `$(selector, document)`
 * on an instance loaded once, which finds what `load(html)` then `$(selector)` finds (the same
 * cheerio-select search from the document, its quirks included: a selector that looks like HTML is
 * taken as HTML). `cheerio.load()` defines a class for each document it loads, which cost twice the
 * parse itself (~0.5 ms a page) and left every method call site megamorphic.
 */
function selectAll(selector: string, document: Document): AnyNode[] {
  cheerio ??= load("");
  // The document is the context and the root: cheerio-select resolves some selectors (a `:not()`
  // holding a positional filter and a combinator) from the root, not the context.
  return cheerio(selector, document, document).toArray();
}

/**
 * Pure extraction: parses `html` once (htmlparser2's DOM, as `cheerio/slim` builds it) and returns
 * the title and one value per field, selected as cheerio selects. Text is trimmed; URL attributes are
 * made absolute against `<base href>` and the final URL.
 */
export function extract(html: string, finalUrl: string, fields: readonly SelectField[]): Extraction {
  const document = parseDocument(html);
  // <title> inside inline SVG is the SVG's, not the document's.
  const titleElement = titleElementOf(document);
  const title = titleElement ? collapseWhitespace(textContent(titleElement)) : null;
  const data: Record<string, ExtractedValue> = {};
  let base: URL | undefined;
  // Straight on the DOM nodes: a Cheerio wrapper per match costs more than the lookup itself.
  const fieldValue = (element: AnyNode, field: SelectField): string | null => {
    if (field.attribute === null) return textContent(element).trim();
    const raw = (element as Element).attribs?.[field.attribute];
    if (raw === undefined) return null;
    if (field.attribute !== "srcset" && !URL_ATTRIBUTES.has(field.attribute)) return raw;
    // The document's base is looked up once, the first time a URL attribute needs it.
    base ??= documentBase(document, finalUrl);
    return field.attribute === "srcset" ? resolveSrcset(raw, base) : resolveUrl(raw, base);
  };
  for (const field of fields) {
    const matches = selectAll(field.selector, document);
    if (field.all) {
      const values: string[] = [];
      for (const element of matches) {
        const value = fieldValue(element, field);
        if (value !== null) values.push(value);
      }
      data[field.name] = values;
    } else {
      const first = matches[0];
      data[field.name] = first === undefined ? null : fieldValue(first, field);
    }
  }
  return { title, data };
}
