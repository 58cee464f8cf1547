import type { ChildNode, Document, ParentNode } from "domhandler";
import { isTag } from "domutils";
import { DomHandler, Parser } from "htmlparser2";

/**
 * How deep elements nest at most; deeper ones are attached flat under the element at this depth,
 * as Blink does (its HTML parser stops nesting at 512 levels, kMaximumHTMLParserDOMTreeDepth).
 * No real page comes near it; a hostile one (100,000 nested `<div>`s) would otherwise cost
 * htmlparser2 time quadratic in its depth and overflow the stack of every recursive tree walk.
 */
export const MAX_ELEMENT_DEPTH = 512;

// The parser's stack of open element names, innermost first. It is private in the typings; the one
// read of it sits here. If a version of htmlparser2 renamed it, nothing is ever flattened.
const NO_STACK: readonly string[] = [];
function openElements(parser: Parser): readonly string[] {
  const stack = (parser as unknown as { stack?: unknown }).stack;
  return Array.isArray(stack) ? (stack as string[]) : NO_STACK;
}

/**
 * domhandler's tree builder, with elements past MAX_ELEMENT_DEPTH attached to the element at that
 * depth (beside each other) rather than inside the element before them. Each keeps its own text.
 */
class DepthCappedHandler extends DomHandler {
  // Set by the parser: the next end-of-element it reports is for an element past the cap, which
  // stays open here (to hold its text) until its end tag.
  keepNextOpen = false;

  protected override addNode(node: ChildNode): void {
    if (!isTag(node) || this.tagStack.length <= MAX_ELEMENT_DEPTH + 1) {
      super.addNode(node);
      return;
    }
    // As super.addNode does (this builder keeps no source indices), with the element at the cap as the parent.
    const parent = this.tagStack[MAX_ELEMENT_DEPTH] as ParentNode;
    const previous = parent.children[parent.children.length - 1];
    parent.children.push(node);
    if (previous) {
      node.prev = previous;
      previous.next = node;
    }
    node.parent = parent;
    this.lastNode = null;
  }

  override onclosetag(): void {
    if (this.keepNextOpen) this.keepNextOpen = false;
    else super.onclosetag();
  }
}

/**
 * htmlparser2's own Parser (implied end tags, void elements, foreign content: the tree cheerio/slim
 * builds) with one change past MAX_ELEMENT_DEPTH open elements: the parser is told an element opened
 * there is void (its extension point, `isVoidElement`), so its own stack never grows past the cap,
 * and the element's end tag is matched here. That keeps every step of the parser bounded: its stack
 * is an array it `unshift`s and searches, linear in its depth per tag. The tree builder keeps such
 * an element open until its end tag, so its text stays in it.
 */
class DepthCappedParser extends Parser {
  // Names of the elements opened past the cap and not yet ended, innermost last, with a count per name.
  private readonly flat: string[] = [];
  private readonly flatCounts = new Map<string, number>();
  // The tag being opened: 0 below the cap; 1 past it, not yet asked about; 2 made flat.
  private opening: 0 | 1 | 2 = 0;
  // True from an end tag until isVoidElement is asked about its name.
  private ending = false;

  // The parser's own stack of open element names (one array for the parser's life).
  private readonly open: readonly string[];

  constructor(private readonly handler: DepthCappedHandler) {
    super(handler);
    this.open = openElements(this);
  }

  override onopentagname(start: number, endIndex: number): void {
    this.opening = this.open.length >= MAX_ELEMENT_DEPTH ? 1 : 0;
    super.onopentagname(start, endIndex);
  }

  override onopentagend(endIndex: number): void {
    super.onopentagend(endIndex);
    this.opening = 0;
  }

  override onselfclosingtag(endIndex: number): void {
    super.onselfclosingtag(endIndex);
    // In foreign content (SVG, MathML) `<x/>` ends the element at once, without onopentagend.
    if (this.opening === 2) this.endFlatElement();
    this.opening = 0;
  }

  override onclosetag(start: number, endIndex: number): void {
    // Below the cap (every ordinary page, all along) the parser works alone.
    if (this.flat.length === 0) {
      super.onclosetag(start, endIndex);
      return;
    }
    this.ending = true;
    super.onclosetag(start, endIndex);
    this.ending = false;
  }

  override onend(): void {
    while (this.flat.length > 0) this.endFlatElement();
    super.onend();
  }

  // Asked when a tag opens, when its start tag ends, and when an end tag comes.
  protected override isVoidElement(name: string): boolean {
    if (this.opening === 0 && !this.ending) return super.isVoidElement(name);
    if (super.isVoidElement(name)) {
      this.ending = false;
      return true;
    }
    if (this.ending) {
      this.ending = false;
      return this.endTagOfFlat(name);
    }
    if (this.opening === 1) {
      this.opening = 2;
      this.flat.push(name);
      this.flatCounts.set(name, (this.flatCounts.get(name) ?? 0) + 1);
    } else {
      // The parser is about to report the element ended, as void elements are: the tree keeps it open.
      this.handler.keepNextOpen = true;
    }
    return true;
  }

  /** Ends the innermost flat element, in the tree too. */
  private endFlatElement(): string | undefined {
    const name = this.flat.pop();
    if (name === undefined) return undefined;
    this.flatCounts.set(name, (this.flatCounts.get(name) ?? 1) - 1);
    this.handler.onclosetag();
    return name;
  }

  /**
   * An end tag while elements are open flat: it ends the innermost flat one of its name (and the
   * flat ones inside it), and the parser is told the tag is void, so it ends nothing of its own. An
   * end tag for an element below the cap ends every flat one first, then the parser takes it.
   */
  private endTagOfFlat(name: string): boolean {
    if (this.flat.length === 0) return false;
    if ((this.flatCounts.get(name) ?? 0) > 0) {
      while (this.endFlatElement() !== name);
      return true;
    }
    if (this.open.includes(name)) while (this.flat.length > 0) this.endFlatElement();
    return false;
  }
}

/**
 * Parses an HTML document into htmlparser2's DOM (domhandler nodes, as `parseDocument` and
 * cheerio/slim give), in time linear in its size: elements nest MAX_ELEMENT_DEPTH deep at most.
 */
export function parseHtml(html: string): Document {
  const handler = new DepthCappedHandler();
  new DepthCappedParser(handler).end(html);
  return handler.root;
}
