/**
 * Walks over htmlparser2's DOM without recursion: a page's depth must never decide whether reading
 * it overflows the stack (domutils' `textContent` and `findOne` recurse once per level).
 */
import type { AnyNode, Element } from "domhandler";
import { isTag } from "domutils";

/**
 * The text of a node: its text and CDATA descendants in document order, comments left out (as
 * domutils' `textContent` and cheerio's `.text()` give it).
 */
export function textOf(node: AnyNode): string {
  if (node.type === "text") return node.data;
  if (!("children" in node)) return "";
  let text = "";
  // Children are pushed last first, so they come off the stack in document order.
  const stack: AnyNode[] = [];
  for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as AnyNode);
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (next.type === "text") text += next.data;
    else if ("children" in next) {
      const { children } = next;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as AnyNode);
    }
  }
  return text;
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
