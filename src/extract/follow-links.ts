/**
 * Links to follow (SPEC §6 `--follow`, recipes' `follow`), read in the same parse as the fields:
 * each match's URL attribute made absolute, http(s) only, normalised as input URLs are, once per
 * kind, with the item it sits in (for a recipe's `carry`).
 */
import type { AnyNode, Document, Element } from "domhandler";
import type { ExtractedValue } from "../record.js";
import { linkUrl, relSaysNofollow, robotsMetaSaysNofollow } from "../urls/link-url.js";
import { findElement } from "./dom-walk.js";
import type { FollowPlan } from "./plan.js";

/** A link a `follow` selector found. */
export interface FollowedLink {
  /** Absolute, normalised (fragment dropped) http(s) URL. */
  url: string;
  /** The kind of page it leads to (the follow selector's kind), or null for plain `follow`. */
  kind: string | null;
  /**
   * The object of the innermost item (`list[]` with sub-fields, or `each`) whose element holds the
   * link's element (or is it); null when it sits in none. The same object as in `data`.
   */
  item: { [key: string]: ExtractedValue } | null;
  /** True when the link has `rel="nofollow"`, or the page's `<meta name="robots">` says nofollow. */
  nofollow: boolean;
}

/** What reading links needs of a page being extracted. */
export interface LinkSource {
  readonly document: Document;
  baseUrl(): URL;
  select(selector: string, scope: Document | Element): AnyNode[];
  /** Each item's element and object, when the page has items. */
  readonly items: ReadonlyMap<Element, { [key: string]: ExtractedValue }> | null;
}

/** True when the page's `<meta name="robots">` forbids following its links. */
function pageSaysNofollow(document: Document): boolean {
  const meta = findElement(
    document.children,
    (element) =>
      element.name === "meta" && (element.attribs.name ?? "").toLowerCase() === "robots" && robotsMetaSaysNofollow(element.attribs.content),
  );
  return meta !== null;
}

/** The innermost item whose element is `element` or holds it. */
function itemOf(element: Element, items: LinkSource["items"]): FollowedLink["item"] {
  if (!items || items.size === 0) return null;
  for (let node: Element | null = element; node !== null; node = node.parent as Element | null) {
    const item = items.get(node);
    if (item) return item;
  }
  return null;
}

/** The links of every follow selector, in selector order then document order, each URL once per kind. */
export function followLinks(page: LinkSource, follow: readonly FollowPlan[]): FollowedLink[] {
  const links: FollowedLink[] = [];
  const seen = new Set<string>();
  let pageNofollow: boolean | undefined;
  for (const { kind, selector, attribute } of follow) {
    for (const node of page.select(selector, page.document)) {
      const raw = (node as Element).attribs?.[attribute];
      if (raw === undefined) continue;
      // mailto:, javascript:, data: and the like are never followed.
      const url = linkUrl(raw, page.baseUrl());
      if (url === null) continue;
      const key = `${kind ?? ""}\n${url}`;
      if (seen.has(key)) continue;
      seen.add(key);
      pageNofollow ??= pageSaysNofollow(page.document);
      const nofollow = pageNofollow || relSaysNofollow((node as Element).attribs.rel);
      links.push({ url, kind, item: itemOf(node as Element, page.items), nofollow });
    }
  }
  return links;
}
