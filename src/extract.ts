import { type CheerioAPI, load } from "cheerio/slim";
import type { AnyNode, Element } from "domhandler";
import { textContent } from "domutils";
import { UsageError } from "./errors.js";
import type { ExtractedValue } from "./record.js";
import type { SelectField } from "./selectors.js";

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

/** The document's base URL: `<base href>` resolved against the response URL (HTML §2.4.1), parsed once. */
function documentBase($: CheerioAPI, finalUrl: string): URL {
  const href = $("base[href]").first().attr("href");
  const base = href === undefined ? finalUrl : resolveUrl(href, finalUrl);
  try {
    return new URL(base);
  } catch {
    return new URL(finalUrl);
  }
}

/** Throws a UsageError naming the field when its selector is not valid CSS. */
export function validateSelectors(fields: readonly SelectField[]): void {
  const $ = load("");
  for (const field of fields) {
    try {
      $(field.selector);
    } catch (error) {
      throw new UsageError(`--select ${field.name}: invalid CSS selector \`${field.selector}\` (${(error as Error).message})`);
    }
  }
}

/**
 * Pure extraction: parses `html` once and returns the title and one value per field. Text is
 * trimmed; URL attributes are made absolute against `<base href>` and the final URL.
 */
export function extract(html: string, finalUrl: string, fields: readonly SelectField[]): Extraction {
  const $ = load(html);
  // <title> inside inline SVG is the SVG's, not the document's.
  const titleElement = $("title").not("svg title").first();
  const title = titleElement.length ? collapseWhitespace(titleElement.text()) : null;
  const data: Record<string, ExtractedValue> = {};
  let base: URL | undefined;
  // Straight on the DOM nodes: a Cheerio wrapper per match costs more than the lookup itself.
  const fieldValue = (element: AnyNode, field: SelectField): string | null => {
    if (field.attribute === null) return textContent(element).trim();
    const raw = (element as Element).attribs?.[field.attribute];
    if (raw === undefined) return null;
    if (field.attribute !== "srcset" && !URL_ATTRIBUTES.has(field.attribute)) return raw;
    // The document's base is looked up once, the first time a URL attribute needs it.
    base ??= documentBase($, finalUrl);
    return field.attribute === "srcset" ? resolveSrcset(raw, base) : resolveUrl(raw, base);
  };
  for (const field of fields) {
    const matches = $(field.selector);
    if (field.all) {
      const values: string[] = [];
      for (const element of matches.toArray()) {
        const value = fieldValue(element, field);
        if (value !== null) values.push(value);
      }
      data[field.name] = values;
    } else {
      const first = matches.get(0);
      data[field.name] = first === undefined ? null : fieldValue(first, field);
    }
  }
  return { title, data };
}
