/**
 * parseHtml: htmlparser2's tree for every ordinary page, and for a hostile one (100,000 nested
 * elements) a tree whose depth stops at MAX_ELEMENT_DEPTH, read and serialised without recursion.
 * No timing is asserted: the cost is kept linear by construction (the parser's stack never passes
 * the cap) and measured in the bench, not here.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { load } from "cheerio/slim";
import type { AnyNode, Document, Element } from "domhandler";
import { describe, expect, it } from "vitest";
import { findElement, textOf, textsOf } from "../../src/extract/dom-walk.js";
import { findAll } from "domutils";
import { MAX_ELEMENT_DEPTH, parseHtml } from "../../src/extract/parse-html.js";
import { innerHtmlOf, outerHtmlOf } from "../../src/extract/serialize-html.js";
import { buildPage } from "../bench/page.mjs";

function demoPages(): string[] {
  const pages: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".html")) pages.push(readFileSync(path, "utf8"));
    }
  };
  walk(join(import.meta.dirname, "../../fixtures/site"));
  return pages;
}

// Implied end tags, stray end tags, foreign content, raw text, no <html> at all.
const AWKWARD = [
  "<p>one<p>two<div>three</p>four</div><li>a<li>b</ul></p>",
  "<table><tr><td>cell<td>cell2</table><select><option>a<option>b</select>",
  "<svg><g/><path d='M0'/><title>t</title><foreignObject><p>x</p></foreignObject></svg><math><mi>x</mi></math>",
  "</div></span>text</p><br></br><b><i>bold</b>italic</i>",
  "<script>if (a < b && '</div>') {}</script><style>p > a {}</style><textarea><b>raw</b></textarea><title>a &amp; b</title>",
  "<!doctype html><!-- c --><html><head><base href=/x/></head><body><template><p>t</p></template></body></html>",
  `<div>${"<section>".repeat(300)}deep${"</section>".repeat(300)}</div>`,
  "",
];

/** The depth of the deepest element, walked without recursion. */
function maxDepth(document: Document): number {
  let deepest = 0;
  const stack: [AnyNode, number][] = document.children.map((child): [AnyNode, number] => [child, 1]);
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next;
    if (node.type !== "tag") continue;
    deepest = Math.max(deepest, depth);
    for (const child of node.children) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** A tree as cheerio (dom-serializer) writes it: every node, attribute and entity, in order. */
const render = (document: Document): string => load(document).html();
// cheerio/slim's parse is htmlparser2's parseDocument.
const parseDocument = (html: string): Document => load(html).root()[0] as Document;

const nested = (count: number, inner: string, after = "") =>
  `<html><body>${"<div>".repeat(count)}${inner}${"</div>".repeat(count)}${after}</body></html>`;

describe("parseHtml on ordinary pages", () => {
  it("builds the tree htmlparser2's parseDocument builds", () => {
    for (const html of [...demoPages(), buildPage(), ...AWKWARD]) {
      expect(render(parseHtml(html)), html.slice(0, 60)).toBe(render(parseDocument(html)));
    }
  });
});

describe("parseHtml on deeply nested pages", () => {
  it("stops nesting at MAX_ELEMENT_DEPTH: 100,000 nested divs give a tree that deep", () => {
    const document = parseHtml(nested(100_000, '<p id="bottom">bottom</p>', '<p id="after">after</p>'));
    // html, body, then divs up to the cap; deeper elements sit side by side under the one at the cap.
    expect(maxDepth(document)).toBe(MAX_ELEMENT_DEPTH + 1);
    const bottom = findElement(document.children, (element) => element.attribs.id === "bottom");
    // Each element keeps its own text.
    expect(bottom && textOf(bottom)).toBe("bottom");
    // The end tags of the flattened divs end them, not the elements below the cap: what follows
    // the last </div> is the body's again.
    const after = findElement(document.children, (element) => element.attribs.id === "after");
    expect((after?.parent as Element | null)?.name).toBe("body");
    expect(textOf(document)).toBe("bottomafter");
  });

  it("keeps nesting as it was just below the cap", () => {
    const document = parseHtml(nested(MAX_ELEMENT_DEPTH - 2, "<span id=s>x</span>"));
    expect(maxDepth(document)).toBe(MAX_ELEMENT_DEPTH + 1);
    expect(render(document)).toBe(render(parseDocument(nested(MAX_ELEMENT_DEPTH - 2, "<span id=s>x</span>"))));
  });

  it("puts what a flat element holds in it, and its siblings beside it", () => {
    const html = nested(600, "<p class=a>one<b>two</b>three</p><p class=b>four</p>");
    const document = parseHtml(html);
    const a = findElement(document.children, (element) => element.attribs.class === "a");
    const b = findElement(document.children, (element) => element.attribs.class === "b");
    expect(a && textOf(a)).toBe("onethree");
    expect(b && textOf(b)).toBe("four");
    expect(a?.parent).toBe(b?.parent);
  });

  it("takes an end tag for an element below the cap as ending the flat ones too", () => {
    const html = `<html><body><main>${"<div>".repeat(700)}<i>in</i></main><p id=next>next</p></body></html>`;
    const document = parseHtml(html);
    const next = findElement(document.children, (element) => element.attribs.id === "next");
    expect((next?.parent as Element | null)?.name).toBe("body");
  });

  it("survives stray end tags, implied ends, self-closing foreign tags and unclosed elements past the cap", () => {
    const deep = "<div>".repeat(1_000);
    const html = `<html><body>${deep}</span></td><p>a<p>b<li>c<svg><g/><g><path/></g></svg>${"<em>".repeat(2_000)}text`;
    const document = parseHtml(html);
    expect(maxDepth(document)).toBeLessThanOrEqual(MAX_ELEMENT_DEPTH + 2);
    expect(textOf(document)).toBe("abctext");
  });

  it("reads and serialises a 100,000-deep page without overflowing the stack", () => {
    const document = parseHtml(nested(100_000, "<p>x &amp; y</p>"));
    expect(textOf(document)).toBe("x & y");
    const html = outerHtmlOf(document);
    expect(html.startsWith("<html><body><div><div>")).toBe(true);
    expect(html).toContain("<p>x &amp; y</p>");
    expect(innerHtmlOf(document)).toBe(html);
  });
});

describe("textOf and findElement", () => {
  it("gives text and CDATA in document order, comments left out", () => {
    const document = parseHtml("<div>a<!-- no --><b>b<i>c</i></b>d<script>e</script></div>");
    expect(textOf(document)).toBe("abcde");
    expect(textOf(document.children[0] as AnyNode)).toBe("abcde");
  });

  it("textsOf gives each node's textOf, nested or side by side", () => {
    const document = parseHtml("<div>a<div>b<p>c</p><div>d<span>e</span></div>f</div><p>g<b>h</b></p></div><div>i</div><p>j</p>");
    for (const name of ["div", "p", "span", "b"]) {
      const nodes = findAll((element) => element.name === name, document.children);
      expect(textsOf(nodes), name).toEqual(nodes.map((node) => textOf(node)));
    }
    const all = findAll(() => true, document.children);
    expect(textsOf(all)).toEqual(all.map((node) => textOf(node)));
    expect(textsOf([])).toEqual([]);
  });

  it("finds the first element in document order", () => {
    const document = parseHtml("<div><p id=1><span id=2></span></p><span id=3></span></div>");
    expect(findElement(document.children, (element) => element.name === "span")?.attribs.id).toBe("2");
    expect(findElement(document.children, (element) => element.name === "table")).toBeNull();
  });
});

describe("innerHtmlOf and outerHtmlOf", () => {
  const element = (html: string, id: string): Element => {
    const found = findElement(parseHtml(html).children, (candidate) => candidate.attribs.id === id);
    if (!found) throw new Error(`no #${id}`);
    return found;
  };

  it("serialise as a browser's innerHTML and outerHTML do", () => {
    const div = element(
      '<div id=d class="a b" hidden>Caf\u00e9 <b>&lt;bold&gt;</b> &amp; <br> <img src="x.png" alt=\'say "hi"\'><!--c--></div>',
      "d",
    );
    expect(innerHtmlOf(div)).toBe('Caf\u00e9 <b>&lt;bold&gt;</b> &amp; <br> <img src="x.png" alt="say &quot;hi&quot;"><!--c-->');
    expect(outerHtmlOf(div)).toBe(`<div id="d" class="a b" hidden="">${innerHtmlOf(div)}</div>`);
  });

  it("write raw text elements raw, and escape no-break spaces and < > in attributes", () => {
    const div = element("<div id=d><script>if (a < b && c > d) {}</script><style>p > a {}</style><p title='a<b>'>x\u00a0y</p></div>", "d");
    expect(innerHtmlOf(div)).toBe('<script>if (a < b && c > d) {}</script><style>p > a {}</style><p title="a&lt;b&gt;">x&nbsp;y</p>');
  });

  it("give the text of a text node's parent, and nothing for a void element", () => {
    expect(innerHtmlOf(element("<img id=i src=a.png>", "i"))).toBe("");
    expect(outerHtmlOf(element("<img id=i src=a.png>", "i"))).toBe('<img id="i" src="a.png">');
  });
});
