/**
 * `@html` and `@outerHtml`: an element serialised as a browser's `innerHTML` and `outerHTML` give it
 * (HTML Living Standard, "Serializing HTML fragments"), without recursion, so a deep tree cannot
 * overflow the stack. Characters are written as they are: only `&`, `<`, `>`, no-break spaces and,
 * in attribute values, `"` are escaped (dom-serializer, which cheerio's `.html()` uses, writes every
 * non-ASCII character as a numeric reference and recurses once per level).
 */
import type { AnyNode, Element } from "domhandler";

// Elements with no end tag and no content (HTML's void elements).
const VOID_ELEMENTS = new Set([
  "area",
  "base",
  "basefont",
  "bgsound",
  "br",
  "col",
  "embed",
  "frame",
  "hr",
  "img",
  "input",
  "keygen",
  "link",
  "meta",
  "param",
  "source",
  "track",
  "wbr",
]);

// Elements whose text is written raw: the parser never decoded it.
const RAW_TEXT_ELEMENTS = new Set(["style", "script", "xmp", "iframe", "noembed", "noframes", "plaintext"]);

const escapeText = (text: string): string => text.replace(/[&<>\u00a0]/g, (char) => TEXT_ESCAPES[char] ?? char);
const escapeAttribute = (value: string): string => value.replace(/[&"<>\u00a0]/g, (char) => TEXT_ESCAPES[char] ?? char);
const TEXT_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\u00a0": "&nbsp;" };

function startTag(element: Element): string {
  let tag = `<${element.name}`;
  for (const [name, value] of Object.entries(element.attribs)) tag += ` ${name}="${escapeAttribute(value)}"`;
  return `${tag}>`;
}

/** Serialises `nodes` in order; an end tag waits on the stack as a string until its children are written. */
function serialize(nodes: readonly AnyNode[]): string {
  let html = "";
  const stack: (AnyNode | string)[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) stack.push(nodes[i] as AnyNode);
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (typeof next === "string") {
      html += next;
      continue;
    }
    switch (next.type) {
      case "text": {
        const parent = next.parent as Element | null;
        html += parent && RAW_TEXT_ELEMENTS.has(parent.name) ? next.data : escapeText(next.data);
        break;
      }
      case "comment":
        html += `<!--${next.data}-->`;
        break;
      case "directive":
        html += `<${next.data}>`;
        break;
      case "tag":
      case "script":
      case "style": {
        html += startTag(next);
        if (VOID_ELEMENTS.has(next.name)) break;
        stack.push(`</${next.name}>`);
        for (let i = next.children.length - 1; i >= 0; i--) stack.push(next.children[i] as AnyNode);
        break;
      }
      case "cdata":
      case "root":
        for (let i = next.children.length - 1; i >= 0; i--) stack.push(next.children[i] as AnyNode);
        break;
    }
  }
  return html;
}

/** The node's content as HTML (`innerHTML`); "" for a node with no children. */
export function innerHtmlOf(node: AnyNode): string {
  return "children" in node ? serialize(node.children) : "";
}

/** The node itself as HTML (`outerHTML`). */
export function outerHtmlOf(node: AnyNode): string {
  return serialize([node]);
}
