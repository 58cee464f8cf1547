import type { AnyNode, Document, Element } from "domhandler";
import { isTag } from "domutils";
import type { ExtractedValue } from "../record.js";
import { findElement, textOf, textsOf } from "./dom-walk.js";
import { queryFor } from "./css-query.js";
import { compileFilters } from "./filters.js";
import { type FollowedLink, followLinks } from "./follow-links.js";
import { parseHtml } from "./parse-html.js";
import { attributeValue, documentBase } from "./page-urls.js";
import { type ExtractionPlan, type FieldPlan, isEmptyPlan } from "./plan.js";
import { innerHtmlOf, outerHtmlOf } from "./serialize-html.js";
import { collapseWhitespace } from "./title-byte-scan.js";

export type { FollowedLink } from "./follow-links.js";

/** What extraction yields for one HTML document (SPEC §3). */
export interface Extraction {
  title: string | null;
  data: Record<string, ExtractedValue>;
  /** The links the plan's `follow` selectors found, in document order; absent when it has none. */
  links?: FollowedLink[];
}

/** An item: one object per element of a list, its sub-fields as keys. */
export type Item = { [key: string]: ExtractedValue };

/** A field ready to run: its filters compiled once per plan, not once per page. */
interface RunnableField {
  plan: FieldPlan;
  filter: ((value: ExtractedValue) => ExtractedValue) | null;
  fields: RunnableField[] | null;
}

const runnable = new WeakMap<ExtractionPlan, RunnableField[]>();

function runnableFields(fields: readonly FieldPlan[]): RunnableField[] {
  return fields.map((plan) => ({ plan, filter: compileFilters(plan.filters), fields: plan.fields && runnableFields(plan.fields) }));
}

/** True for an element with an `<svg>` ancestor. */
function insideSvg(element: Element): boolean {
  for (let parent = element.parent; parent !== null; parent = parent.parent) {
    if ((parent as Element).name === "svg") return true;
  }
  return false;
}

/** The document's `<title>`: the first one that is not an SVG's (`title:not(svg title)`), found by one walk that stops there. */
function titleOf(document: Document): string | null {
  const element = findElement(document.children, (candidate) => candidate.name === "title" && !insideSvg(candidate));
  return element ? collapseWhitespace(textOf(element)) : null;
}

/**
 * One page being read: its document, its base URL (looked up the first time a URL attribute needs
 * it), and, when links are followed, the element of every item (to tell which item a link sits in).
 */
class PageReader {
  private base: URL | undefined;
  readonly items: Map<Element, Item> | null;

  constructor(
    readonly document: Document,
    private readonly finalUrl: string,
    trackItems: boolean,
  ) {
    this.items = trackItems ? new Map() : null;
  }

  readonly baseUrl = (): URL => {
    this.base ??= documentBase(this.document, this.finalUrl);
    return this.base;
  };

  /** Every match of `selector` in `scope`, in document order, as cheerio finds them (`$(selector)`, or `.find()` in an element). */
  select(selector: string, scope: Document | Element): AnyNode[] {
    return queryFor(selector, scope).all(scope, this.document);
  }

  /** The first match, or null. */
  private selectFirst(selector: string, scope: Document | Element): AnyNode | null {
    return queryFor(selector, scope).first(scope, this.document);
  }

  /** What `field` reads from `node`, before filters; null for a missing attribute. */
  private read(node: AnyNode, field: FieldPlan): string | null {
    const { read } = field;
    switch (read.kind) {
      case "text":
        return collapseWhitespace(textOf(node));
      case "html":
        return innerHtmlOf(node);
      case "outerHtml":
        return outerHtmlOf(node);
      case "attribute": {
        const raw = (node as Element).attribs?.[read.name];
        return raw === undefined ? null : attributeValue(read.name, raw, this.baseUrl);
      }
    }
  }

  private valueOf(node: AnyNode, field: RunnableField): ExtractedValue {
    if (field.fields) return isTag(node) ? this.item(node, field.fields) : null;
    const value = this.read(node, field.plan);
    return value === null || field.filter === null ? value : field.filter(value);
  }

  private item(node: Element, fields: readonly RunnableField[]): Item {
    const item = this.fields(fields, node, node);
    if (this.items && !this.items.has(node)) this.items.set(node, item);
    return item;
  }

  /** An array field's values, one per match, in document order. */
  private list(matches: readonly AnyNode[], field: RunnableField): ExtractedValue[] {
    const { plan, filter, fields } = field;
    const list: ExtractedValue[] = [];
    if (fields) {
      for (const match of matches) if (isTag(match)) list.push(this.item(match, fields));
      return list;
    }
    if (plan.read.kind === "text") {
      for (const text of textsOf(matches)) list.push(filter ? filter(collapseWhitespace(text)) : collapseWhitespace(text));
      return list;
    }
    for (const match of matches) {
      // A match without the attribute adds nothing; a filter that finds nothing adds null, in place.
      const value = this.read(match, plan);
      if (value !== null) list.push(filter ? filter(value) : value);
    }
    return list;
  }

  /**
   * The fields evaluated in `scope`: selectors search inside it, and a field with no selector
   * (`name=@attr`) reads `self`, the element itself (at the top: the document's root element).
   */
  fields(fields: readonly RunnableField[], scope: Document | Element, self: AnyNode | null): Item {
    const values: Item = {};
    for (const field of fields) {
      const { plan } = field;
      if (!plan.all) {
        const first = plan.selector === null ? self : this.selectFirst(plan.selector, scope);
        values[plan.name] = first === null ? null : this.valueOf(first, field);
        continue;
      }
      const matches = plan.selector === null ? (self === null ? [] : [self]) : this.select(plan.selector, scope);
      values[plan.name] = this.list(matches, field);
    }
    return values;
  }
}

/**
 * Pure extraction: parses `html` once (htmlparser2's DOM, as `cheerio/slim` builds it, nesting capped)
 * and returns the title, one value per field of `plan` (selected as cheerio selects; text with its
 * whitespace collapsed; URL attributes made absolute against `<base href>` and the final URL), and
 * the links of its `follow` selectors.
 */
export function extract(html: string, finalUrl: string, plan: ExtractionPlan): Extraction {
  const document = parseHtml(html);
  const title = titleOf(document);
  if (isEmptyPlan(plan)) return { title, data: {} };
  let fields = runnable.get(plan);
  if (!fields) {
    fields = runnableFields(plan.fields);
    runnable.set(plan, fields);
  }
  const page = new PageReader(document, finalUrl, plan.follow.length > 0);
  const root = document.children.find(isTag) ?? null;
  const data = page.fields(fields, document, root);
  if (plan.follow.length === 0) return { title, data };
  return { title, data, links: followLinks(page, plan.follow) };
}
