/**
 * What link checks read from a page's start tags, in the tokenizer pass that finds its links
 * (`scanLinks`'s `onTag`): the ids a fragment can point at, the `a[href]` links with a fragment,
 * and the resources the page loads (`checkLinks: "all"`). Raw attribute values only: they are
 * resolved once the pass is over, against `<base href>` as `scanLinks` does.
 */
import { Parser } from "htmlparser2";
import { documentBase, relSaysNofollow } from "../urls/link-url.js";

/** Elements whose attributes name a resource the page loads (HTML's URL-valued attributes that fetch). */
const RESOURCE_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  img: ["src", "srcset"],
  source: ["src", "srcset"],
  script: ["src"],
  video: ["src", "poster"],
  audio: ["src"],
  track: ["src"],
  iframe: ["src"],
  embed: ["src"],
  object: ["data"],
};

/** `<link rel>` tokens whose `href` the page loads (a `canonical` or `alternate` link is not loaded). */
const LOADED_RELS = new Set(["stylesheet", "icon", "apple-touch-icon", "mask-icon", "manifest", "preload", "modulepreload"]);

/** What to collect from a page. */
export interface TagWants {
  /** `id` attributes and `<a name>`: the page's fragment targets. */
  ids: boolean;
  /** `a[href]` values holding a `#`. */
  fragmentLinks: boolean;
  /** Resources (`img`, `script`, stylesheets, …). */
  resources: boolean;
  /** Keep `rel="nofollow"` links (as the crawl does with `followNofollow`). */
  followNofollow: boolean;
}

/**
 * URLs of a `srcset` (HTML §4.8.4.3.3, simplified): comma-separated candidates, each a URL and an
 * optional descriptor. A URL may hold commas itself; one that ends in commas has no descriptor.
 */
export function srcsetUrls(srcset: string): string[] {
  const urls: string[] = [];
  let position = 0;
  while (position < srcset.length) {
    while (position < srcset.length && /[\s,]/.test(srcset[position] as string)) position++;
    const start = position;
    while (position < srcset.length && !/\s/.test(srcset[position] as string)) position++;
    let url = srcset.slice(start, position);
    if (url === "") break;
    if (url.endsWith(",")) url = url.replace(/,+$/, "");
    else {
      // Skip the descriptor, up to the comma that ends the candidate (not one inside parentheses).
      let depth = 0;
      while (position < srcset.length) {
        const char = srcset[position];
        if (char === "(") depth++;
        else if (char === ")") depth = Math.max(0, depth - 1);
        else if (char === "," && depth === 0) break;
        position++;
      }
    }
    urls.push(url);
  }
  return urls;
}

/** Collects what link checks need from one page's start tags. */
export class PageTags {
  readonly ids: string[] = [];
  readonly fragmentHrefs: string[] = [];
  readonly resources: string[] = [];
  /** The first `<base href>`, raw. */
  base: string | null = null;

  constructor(private readonly wants: TagWants) {}

  /** Takes one start tag (bound: it is handed to the tokenizer as is). */
  readonly onTag = (name: string, attributes: Record<string, string>): void => {
    const { wants } = this;
    if (wants.ids) {
      const id = attributes.id;
      if (id !== undefined && id !== "") this.ids.push(id);
      // HTML's indicated part of the document: an element with that id, else an <a> with that name.
      if (name === "a" && attributes.name !== undefined && attributes.name !== "") this.ids.push(attributes.name);
    }
    if (name === "base") {
      if (this.base === null && attributes.href !== undefined) this.base = attributes.href;
      return;
    }
    if (name === "a") {
      const href = attributes.href;
      if (!wants.fragmentLinks || href === undefined || !href.includes("#")) return;
      if (!wants.followNofollow && relSaysNofollow(attributes.rel)) return;
      this.fragmentHrefs.push(href);
      return;
    }
    if (wants.resources) this.takeResources(name, attributes);
  };

  private takeResources(name: string, attributes: Record<string, string>): void {
    if (name === "link") {
      const rels = (attributes.rel ?? "").toLowerCase().split(/\s+/);
      if (attributes.href !== undefined && rels.some((rel) => LOADED_RELS.has(rel))) this.resources.push(attributes.href);
      return;
    }
    if (name === "input" && (attributes.type ?? "").toLowerCase() !== "image") return;
    const names = name === "input" ? ["src"] : RESOURCE_ATTRIBUTES[name];
    if (names === undefined) return;
    for (const attribute of names) {
      const value = attributes[attribute];
      if (value === undefined || value.trim() === "") continue;
      if (attribute === "srcset") this.resources.push(...srcsetUrls(value));
      else this.resources.push(value);
    }
  }

  /** The URL relative links of the page resolve against: `<base href>`, else the page's own URL. */
  baseUrl(pageUrl: string): string {
    return documentBase(this.base, pageUrl);
  }
}

/** Reads a page's start tags into `tags` (for a page whose links are not read: its ids alone). */
export function readTags(html: string, tags: PageTags): void {
  const parser = new Parser({ onopentag: tags.onTag }, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  parser.end(html);
}
