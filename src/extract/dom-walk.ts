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

/** True when `inner` is a descendant of `outer`. */
function contains(outer: AnyNode, inner: AnyNode): boolean {
  for (let node = inner.parent; node !== null; node = node.parent) if (node === outer) return true;
  return false;
}

/**
 * The texts of `nodes` (in document order, as a selector gives them). Nested matches (every `div`
 * of a page of nested divs) are read innermost first, and each outer one reuses the text of the one
 * inside it: they cost the size of the page, not its size times its depth. Matches side by side
 * are read once each, as textOf reads them.
 */
export function textsOf(nodes: readonly AnyNode[]): string[] {
  const texts: string[] = new Array(nodes.length);
  let known: Map<AnyNode, string> | undefined;
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i] as AnyNode;
    const next = nodes[i + 1];
    // In document order, a node holds the ones after it only if it holds the very next one.
    const text = textOf(node, next !== undefined && known !== undefined && contains(node, next) ? known : undefined);
    const previous = nodes[i - 1];
    if (previous !== undefined && contains(previous, node)) {
      known ??= new Map();
      known.set(node, text);
    }
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
