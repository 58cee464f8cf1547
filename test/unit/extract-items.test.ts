/**
 * Items (SPEC §3): `list[]` with `list[].field` gives one object per element, fields evaluated inside
 * it, to any depth; `each`; `@attr` alone; pseudo-attributes; filters on values and arrays; and the
 * links of `follow` selectors with the item they sit in (for a recipe's `carry`).
 */
import { describe, expect, it } from "vitest";
import { planExtraction } from "../../src/extract/plan.js";
import { extract } from "../../src/extract/select.js";

const URL_ = "https://shop.test/catalogue/page-1.html";

const SHOP = `<!doctype html><html lang="en-GB"><head><title>Shop</title><meta charset=utf-8></head><body>
<h1>  All   products </h1>
<ol class="row">
  <li><article class="product_pod" data-rank="1">
    <h3><a href="a-light-in-the-attic_1000/index.html" title="A Light in the Attic">A Light in the ...</a></h3>
    <p class="price_color">£51.77</p>
    <p class="star-rating Three"></p>
    <p class="synopsis">
        It's hard to imagine
        a world without
    </p>
    <ul class="tags"><li>poetry</li><li>classics</li></ul>
    <span class="author"><b>Shel Silverstein</b> <a href="/authors/shel">profile</a></span>
  </article></li>
  <li><article class="product_pod" data-rank="2">
    <h3><a href="tipping-the-velvet_999/index.html" title="Tipping the Velvet">Tipping the ...</a></h3>
    <p class="price_color">Free</p>
    <ul class="tags"></ul>
    <span class="author"><b>Sarah Waters</b></span><span class="author"><b>Someone Else</b></span>
  </article></li>
</ol>
<ul class="pager"><li class="next"><a href="page-2.html">next</a></li></ul>
<a href="mailto:shop@shop.test">mail</a> <a href="javascript:void(0)">js</a> <a href="#top">top</a>
</body></html>`;

const data = (select: Record<string, string>, each?: string) => extract(SHOP, URL_, planExtraction({ select, each })).data;

describe("items", () => {
  it("gives one object per element of the list, fields evaluated inside it, in document order", () => {
    expect(
      data({
        "books[]": "article",
        "books[].title": "h3 a@title",
        "books[].url": "h3 a@href",
        "books[].price": ".price_color",
        "books[].missing": ".nothing",
      }),
    ).toEqual({
      books: [
        {
          title: "A Light in the Attic",
          url: "https://shop.test/catalogue/a-light-in-the-attic_1000/index.html",
          price: "£51.77",
          missing: null,
        },
        { title: "Tipping the Velvet", url: "https://shop.test/catalogue/tipping-the-velvet_999/index.html", price: "Free", missing: null },
      ],
    });
  });

  it("nests lists to any depth, arrays of values and lists of items alike", () => {
    expect(
      data({
        "books[]": "article",
        "books[].tags[]": ".tags li",
        "books[].authors[]": ".author",
        "books[].authors[].name": "b",
        "books[].authors[].links[]": "a@href",
      }).books,
    ).toEqual([
      { tags: ["poetry", "classics"], authors: [{ name: "Shel Silverstein", links: ["https://shop.test/authors/shel"] }] },
      {
        tags: [],
        authors: [
          { name: "Sarah Waters", links: [] },
          { name: "Someone Else", links: [] },
        ],
      },
    ]);
  });

  it("gives [] for a list that matches nothing, and keeps top-level fields beside lists", () => {
    expect(data({ heading: "h1", "none[]": "table", "none[].x": "td" })).toEqual({ heading: "All products", none: [] });
  });

  it("reads `@attr` alone from the item's element, and from the root element at the top", () => {
    expect(data({ lang: "@lang", "books[]": "article", "books[].rank": "@data-rank", "books[].class[]": "@class" })).toEqual({
      lang: "en-GB",
      books: [
        { rank: "1", class: ["product_pod"] },
        { rank: "2", class: ["product_pod"] },
      ],
    });
  });

  it("collapses whitespace in text, as the title's", () => {
    expect(data({ "books[]": "article", "books[].synopsis": ".synopsis" }).books).toEqual([
      { synopsis: "It's hard to imagine a world without" },
      { synopsis: null },
    ]);
  });

  it("evaluates selectors relative to the item (`h3 a` needs the h3 inside it) and positional filters per item", () => {
    expect(
      data({ "books[]": "article", "books[].inLi": "li h3", "books[].firstTag": ".tags li:first", "books[].second": "p:eq(1)@class" })
        .books,
    ).toEqual([
      { inLi: null, firstTag: "poetry", second: "star-rating Three" },
      { inLi: null, firstTag: null, second: null },
    ]);
  });
});

describe("each", () => {
  it("evaluates every field inside each element, into data.items", () => {
    expect(data({ title: "h3 a@title", price: ".price_color | number", "tags[]": ".tags li" }, "article")).toEqual({
      items: [
        { title: "A Light in the Attic", price: 51.77, tags: ["poetry", "classics"] },
        { title: "Tipping the Velvet", price: null, tags: [] },
      ],
    });
  });

  it("takes nested lists inside the items too", () => {
    expect(data({ "authors[]": ".author", "authors[].name": "b" }, "article").items).toEqual([
      { authors: [{ name: "Shel Silverstein" }] },
      { authors: [{ name: "Sarah Waters" }, { name: "Someone Else" }] },
    ]);
  });
});

describe("pseudo-attributes", () => {
  it("@html is the inner HTML, @outerHtml the outer, @text the text", () => {
    expect(
      data({ "books[]": "article", "books[].tags": ".tags@html", "books[].outer": ".tags li@outerHtml", "books[].text": "h3@text" }).books,
    ).toEqual([
      { tags: "<li>poetry</li><li>classics</li>", outer: "<li>poetry</li>", text: "A Light in the ..." },
      { tags: "", outer: null, text: "Tipping the ..." },
    ]);
  });

  it("@html of the page's root at the top", () => {
    const { data: top } = extract(
      "<html><body><p>x</p></body></html>",
      URL_,
      planExtraction({ select: { all: "@html", outer: "body@outerHtml" } }),
    );
    expect(top).toEqual({ all: "<body><p>x</p></body>", outer: "<body><p>x</p></body>" });
  });
});

describe("filters", () => {
  it("apply to a value, and to each element of an array (null kept in place)", () => {
    expect(
      data({
        "prices[]": ".price_color | number",
        first: ".price_color | number",
        "ranks[]": "article@data-rank | int",
        lang: "@lang | lower",
      }),
    ).toEqual({
      prices: [51.77, null],
      first: 51.77,
      ranks: [1, 2],
      lang: "en-gb",
    });
  });

  it("re: and json", () => {
    const page = `<a class=p href="/p/123?x">p</a><script type="application/ld+json">{"@type":"Book","offers":{"price":"12.50"}}</script><script id=bad type="application/ld+json">{oops</script>`;
    const { data: values } = extract(
      page,
      URL_,
      planExtraction({ select: { id: "a.p@href | re:/p/(\\d+) | int", ld: "script | json", bad: "#bad | json", none: "a.p | re:zzz" } }),
    );
    expect(values).toEqual({ id: 123, ld: { "@type": "Book", offers: { price: "12.50" } }, bad: null, none: null });
  });
});

describe("follow links", () => {
  const links = (select: Record<string, string>, follow: { selector: string; kind?: string }[], each?: string) =>
    extract(SHOP, URL_, planExtraction({ select, follow, each })).links;

  it("resolves http(s) links (fragment dropped, once per kind), each with its kind and the item it sits in", () => {
    const found = links({ "books[]": "article", "books[].title": "h3 a@title" }, [
      { selector: "li.next a", kind: "list" },
      { selector: "article h3 a", kind: "book" },
      { selector: "a", kind: "any" },
    ]);
    expect(found?.filter((link) => link.kind !== "any")).toEqual([
      { url: "https://shop.test/catalogue/page-2.html", kind: "list", item: null, nofollow: false },
      {
        url: "https://shop.test/catalogue/a-light-in-the-attic_1000/index.html",
        kind: "book",
        item: { title: "A Light in the Attic" },
        nofollow: false,
      },
      {
        url: "https://shop.test/catalogue/tipping-the-velvet_999/index.html",
        kind: "book",
        item: { title: "Tipping the Velvet" },
        nofollow: false,
      },
    ]);
    // mailto: and javascript: never; #top is the page itself, fragment dropped.
    expect(found?.filter((link) => link.kind === "any").map((link) => link.url)).toEqual([
      "https://shop.test/catalogue/a-light-in-the-attic_1000/index.html",
      "https://shop.test/authors/shel",
      "https://shop.test/catalogue/tipping-the-velvet_999/index.html",
      "https://shop.test/catalogue/page-2.html",
      "https://shop.test/catalogue/page-1.html",
    ]);
  });

  it("carries the very object of data, the innermost item holding the link", () => {
    const extraction = extract(
      SHOP,
      URL_,
      planExtraction({
        select: { "books[]": "article", "books[].rank": "@data-rank | int", "books[].authors[]": ".author", "books[].authors[].name": "b" },
        follow: [{ selector: "a" }],
      }),
    );
    const books = extraction.data.books as { rank: number; authors: { name: string }[] }[];
    const byUrl = new Map(extraction.links?.map((link) => [link.url, link]));
    expect(byUrl.get("https://shop.test/catalogue/a-light-in-the-attic_1000/index.html")?.item).toBe(books[0]);
    expect(byUrl.get("https://shop.test/authors/shel")?.item).toBe(books[0]?.authors[0]);
    expect(byUrl.get("https://shop.test/catalogue/page-2.html")).toMatchObject({ kind: null, item: null });
  });

  it("with each, carries the each item", () => {
    const found = links({ rank: "@data-rank" }, [{ selector: "h3 a", kind: "book" }], "article");
    expect(found?.map((link) => link.item)).toEqual([{ rank: "1" }, { rank: "2" }]);
  });

  it("reads another attribute when named, and tells nofollow links", () => {
    const page = `<img class=t data-src="/big/1.jpg"><a href="/x" rel="external NoFollow">x</a><a href="/y">y</a>`;
    const found = extract(page, URL_, planExtraction({ follow: [{ selector: "img.t@data-src", kind: "image" }, { selector: "a" }] })).links;
    expect(found).toEqual([
      { url: "https://shop.test/big/1.jpg", kind: "image", item: null, nofollow: false },
      { url: "https://shop.test/x", kind: null, item: null, nofollow: true },
      { url: "https://shop.test/y", kind: null, item: null, nofollow: false },
    ]);
    const robots = `<meta name="robots" content="noindex, nofollow"><a href="/y">y</a>`;
    expect(extract(robots, URL_, planExtraction({ follow: [{ selector: "a" }] })).links).toEqual([
      { url: "https://shop.test/y", kind: null, item: null, nofollow: true },
    ]);
  });

  it("resolves against <base href>", () => {
    const page = `<base href="https://cdn.test/dir/"><a href="next.html">n</a>`;
    expect(extract(page, URL_, planExtraction({ follow: [{ selector: "a" }] })).links?.map((link) => link.url)).toEqual([
      "https://cdn.test/dir/next.html",
    ]);
  });

  it("is absent from a plan without follow selectors", () => {
    expect(extract(SHOP, URL_, planExtraction({ select: { t: "h1" } })).links).toBeUndefined();
  });
});

// No time is asserted; the limit is only there for a loaded machine (each takes about a second).
describe("a hostile page", { timeout: 30_000 }, () => {
  const deep = (count: number, inner: string) => `<html><body>${"<div>".repeat(count)}${inner}${"</div>".repeat(count)}</body></html>`;

  it("100,000 nested divs: text, @html and items read without overflowing the stack", () => {
    const page = deep(100_000, '<p id="bottom">bottom</p>');
    const { data: values } = extract(
      page,
      URL_,
      planExtraction({
        select: { outer: "div", deep: "#bottom", html: "body@html", "divs[]": "div", "ps[]": "div", "ps[].p": "p" },
        follow: [{ selector: "div" }],
      }),
    );
    expect(values.outer).toBe("bottom");
    expect(values.deep).toBe("bottom");
    expect((values.html as string).length).toBeGreaterThan(1_100_000);
    expect((values.divs as string[]).length).toBe(100_000);
    expect((values.ps as { p: string | null }[]).filter((item) => item.p === "bottom").length).toBeGreaterThan(0);
  });

  it("100,000 items and 100,000 links", () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => `<li><a href="/p/${i}">n${i}</a> <span class=price>$${i}.50</span></li>`).join(
      "",
    );
    const extraction = extract(
      `<ul>${rows}</ul>`,
      URL_,
      planExtraction({ select: { name: "a", price: ".price | number" }, each: "li", follow: [{ selector: "a", kind: "item" }] }),
    );
    const items = extraction.data.items as { name: string; price: number }[];
    expect(items).toHaveLength(100_000);
    expect(items[99_999]).toEqual({ name: "n99999", price: 99999.5 });
    expect(extraction.links).toHaveLength(100_000);
    expect(extraction.links?.[5]).toEqual({ url: "https://shop.test/p/5", kind: "item", item: items[5], nofollow: false });
  });
});
