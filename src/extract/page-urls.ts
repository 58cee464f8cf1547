/**
 * URLs in a page: URL attributes resolved against the document's base (`<base href>` resolved
 * against the final URL, HTML §2.4.1), as a browser resolves them.
 */
import type { Document } from "domhandler";
import { findElement } from "./dom-walk.js";

// Attributes whose value is a URL (HTML Living Standard's URL-valued content attributes).
export const URL_ATTRIBUTES: ReadonlySet<string> = new Set([
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

/** `value` resolved against `base`, or `value` as written when it is no URL. */
export function resolveUrl(value: string, base: URL | string): string {
  try {
    return new URL(value.trim(), base).href;
  } catch {
    return value;
  }
}

/** `srcset` is a list of "url descriptor" candidates; resolve each URL and keep its descriptor. */
export function resolveSrcset(value: string, base: URL): string {
  return value
    .split(",")
    .map((candidate) => {
      const [url = "", ...descriptor] = candidate.trim().split(/\s+/);
      return url ? [resolveUrl(url, base), ...descriptor].join(" ") : "";
    })
    .filter(Boolean)
    .join(", ");
}

/** An attribute's value as a field gives it: URL attributes made absolute, others as written. */
export function attributeValue(name: string, raw: string, base: () => URL): string {
  if (name === "srcset") return resolveSrcset(raw, base());
  return URL_ATTRIBUTES.has(name) ? resolveUrl(raw, base()) : raw;
}

/** The document's base URL: `<base href>` resolved against the response URL, parsed once. */
export function documentBase(document: Document, finalUrl: string): URL {
  const element = findElement(document.children, (candidate) => candidate.name === "base" && candidate.attribs.href !== undefined);
  const href = element?.attribs.href;
  const base = href === undefined ? finalUrl : resolveUrl(href, finalUrl);
  try {
    return new URL(base);
  } catch {
    return new URL(finalUrl);
  }
}
