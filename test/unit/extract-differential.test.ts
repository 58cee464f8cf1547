/**
 * extract() parses with htmlparser2 (its depth capped) and selects with selectors compiled once by
 * css-select, or `$(selector, scope)` on one cheerio instance for cheerio's own extensions, not
 * through `cheerio.load()` per page (which costs twice the parse). This holds it to what
 * `cheerio.load(html)` and `$(selector)` give, and inside items to what `$(item).find(selector)`
 * gives, over the demo site's pages, the benchmark page and documents made to be awkward, with
 * selectors from the plain to cheerio's own extensions.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { load } from "cheerio/slim";
import { describe, expect, it } from "vitest";
import { extract } from "../../src/extract/select.js";
import { validatePlan } from "../../src/extract/validate-selectors.js";
import { planExtraction } from "../../src/extract/plan.js";
import { buildPage } from "../bench/page.mjs";

const BASE = "https://example.com/dir/page.html";

const SELECTORS = [
  "h1",
  "a",
  "title",
  "svg title",
  "title:not(svg title)",
  "head > title",
  "html > body a",
  ":root",
  ":root > body > *",
  "body > :first-child",
  "li:nth-child(2)",
  "li:last-child a",
  "a:first",
  "a:last",
  "a:eq(2)",
  "p:contains(lorem)",
  "div:has(> a)",
  "a[rel~=nofollow]",
  'a[href^="/"]',
  'a[href$=".html" i]',
  "[data-id]",
  "* > p + p",
  "h2 ~ p",
  "~ p",
  "+ *",
  ":scope > html",
  "a, h1",
  "input:checked",
  "option:selected",
  ":header",
  "script",
  "template p",
  "noscript",
  // Strings cheerio takes as HTML rather than as a selector: whatever it does, extract does too.
  'a[title="<b>x"]',
  "a:foo <b>",
  "<p>",
  // A :not() holding a positional filter and a combinator is resolved from the root, not the context.
  "li:not(ul > li:first)",
  "li:not(ul li:eq(0))",
  "p:not(div > p:first)",
  "p:not(div p:lt(1))",
  "span:not(#a :first)",
];

// Documents that push the parser: implied end tags, stray tags, foreign content, no <html> at all.
const AWKWARD = [
  "<p data-id=p1>one<p>two<p data-id=p3>three<h2>head</h2><p>after <a href=x data-id=ax>x</a>",
  "text before <title>late</title> <body><h1 data-id=h1a>a</h1><h1>b</h1>",
  "<table><tr><td><a href=/cell data-id=cell>cell</a></td></tr><p>stray</table>",
  "<svg><title>icon</title><a href=/in-svg data-id=svg-a>s</a></svg><title>page</title>",
  "<ul><li>1<li data-id=li2>2<li><a href=/3 title='<b>x'>3</a><li>4</ul><select><option selected data-id=opt>o</option></select><input type=checkbox checked>",
  "<!-- c --><!doctype html><html data-id=root><head><base href=/base/><title>t</title></head><body><template><p>t</p></template><noscript><p>n</p></noscript><script>var a = '<a href=/no>';</script></body></html>",
  "",
  "<h1>   spaced\n\t out   </h1><a href='  /trim  ' data-id=' spaced '>t</a>",
  "<div><p>a</p><p>b</p></div><p>c</p><div id=a><span>s1</span><b><span>s2</span></b></div><span>s3</span>",
];

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

const collapse = (text: string): string => text.replace(/\s+/g, " ").trim();

/** What cheerio itself gives for `selector` on `html`: each match's text and `href`. */
function byCheerio(html: string, selector: string): { text: string; href: string | null }[] {
  const $ = load(html);
  return $(selector)
    .toArray()
    .map((element) => ({ text: collapse($(element).text()), href: $(element).attr("href") ?? null }));
}

// The elements items are made of in the comparison inside items: nested ones (div, li, *) included.
const LISTS = ["div", "li", "p", "body > *", "ul, div", "*"];

describe("extract selects what cheerio.load() and $(selector) select", () => {
  const documents = [...demoPages(), buildPage(), ...AWKWARD];

  it("has documents and selectors to compare", () => {
    expect(documents.length).toBeGreaterThan(AWKWARD.length + 1);
    // The raw attribute check below compares real values, not two empty lists.
    expect(documents.filter((html) => load(html)("[data-id]").length > 0).length).toBeGreaterThan(3);
  });

  it.each(SELECTORS)("%s", (selector) => {
    const fields = planExtraction({ select: { "text[]": selector, "raw[]": `${selector}@data-id` } });
    // What the CLI accepts up front must not fail on a page.
    expect(() => validatePlan(fields)).not.toThrow();
    for (const html of documents) {
      const expected = byCheerio(html, selector);
      const { data } = extract(html, BASE, fields);
      expect(data.text, `${selector} on ${html.slice(0, 60)}`).toEqual(expected.map((match) => match.text));
      // Non-URL attributes come raw: the same matches in the same order.
      const $ = load(html);
      const rawIds = $(selector)
        .toArray()
        .map((element) => $(element).attr("data-id"))
        .filter((value): value is string => value !== undefined);
      expect(data.raw, selector).toEqual(rawIds);
    }
  });

  it("gives the title cheerio gives for title:not(svg title)", () => {
    for (const html of documents) {
      const $ = load(html);
      const element = $("title").not("svg title").first();
      const expected = element.length ? element.text().replace(/\s+/g, " ").trim() : null;
      expect(extract(html, BASE, planExtraction({})).title, html.slice(0, 60)).toBe(expected);
    }
  });
});

describe("inside items, extract selects what $(item).find(selector) selects", () => {
  const documents = [...demoPages(), buildPage(), ...AWKWARD];

  it.each(SELECTORS)("%s", (selector) => {
    let findThrows = false;
    try {
      load("<p>x</p>").root().find(selector);
    } catch {
      findThrows = true;
    }
    for (const list of LISTS) {
      const plan = planExtraction({
        select: { "items[]": list, "items[].text[]": selector, "items[].raw[]": `${selector}@data-id`, "items[].first": selector },
      });
      // What .find() cannot search (a string cheerio takes as HTML at the top) is refused up front.
      if (findThrows) {
        expect(() => validatePlan(plan)).toThrow(/^select\.items\[\]\.text\[\]: invalid selector/);
        continue;
      }
      expect(() => validatePlan(plan)).not.toThrow();
      for (const html of documents) {
        const $ = load(html);
        const expected = $(list)
          .toArray()
          .map((item) => {
            const found = $(item).find(selector).toArray();
            return {
              text: found.map((element) => collapse($(element).text())),
              raw: found.map((element) => $(element).attr("data-id")).filter((value): value is string => value !== undefined),
              first: found[0] === undefined ? null : collapse($(found[0]).text()),
            };
          });
        expect(extract(html, BASE, plan).data.items, `${list} / ${selector} on ${html.slice(0, 60)}`).toEqual(expected);
      }
    }
  });
});
