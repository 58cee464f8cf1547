/**
 * Walks over htmlparser2's DOM without recursion: a page's depth must never decide whether reading
 * it overflows the stack (domutils' `textContent` and `findOne` recurse once per level).
 */
import type { AnyNode, Element } from "domhandler";
import { isTag } from "domutils";

/**
 * The text of a node: its text and CDATA descendants in document order, comments left out (as
 * domutils' `textContent` and cheerio's `.text()` give it). `known` holds texts already read: a
 * descendant found there is not walked again.
 */
export function textOf(node: AnyNode, known?: ReadonlyMap<AnyNode, string>): string {
  if (node.type === "text") return node.data;
  if (!("children" in node)) return "";
  let text = "";
  // Children are pushed last first, so they come off the stack in document order.
  const stack: AnyNode[] = [];
  for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as AnyNode);
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (next.type === "text") text += next.data;
    else if ("children" in next) {
      const read = known?.get(next);
      if (read !== undefined) {
        text += read;
        continue;
      }
      const { children } = next;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as AnyNode);
    }
  }
  return text;
}

/**
 * The texts of `nodes` (in document order, as a selector gives them), read last first so that the
 * text of a node nested in another is read once: nested matches (every `div` of a page of nested
 * divs) cost the size of the page, not its size times its depth.
 */
export function textsOf(nodes: readonly AnyNode[]): string[] {
  const known = new Map<AnyNode, string>();
  const texts: string[] = new Array(nodes.length);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i] as AnyNode;
    const text = textOf(node, known);
    known.set(node, text);
    texts[i] = text;
  }
  return texts;
}

/** The first element under `nodes` (in document order, depth first) that passes `test`, or null. */
export function findElement(nodes: readonly AnyNode[], test: (element: Element) => boolean): Element | null {
  const stack: AnyNode[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) stack.push(nodes[i] as AnyNode);
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (isTag(next) && test(next)) return next;
    if ("children" in next) {
      const { children } = next;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as AnyNode);
    }
  }
  return null;
}
