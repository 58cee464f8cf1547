/**
 * The bookshop fixture (fixtures/bookshop): its pages parse, pagination ends, what the pages show is what
 * the ground truth says (read back with cheerio, independently of the generator), conditional requests
 * get 304, a large shop keeps no pages in memory, the awkward pages exist, and the record checker and the
 * W4 floor agree with the truth.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as cheerio from "cheerio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkBookshopRecords } from "../../fixtures/bookshop/check-records.mjs";
import { createBookshop, type ListItem, recipeFor, type ServedBookshop, serveBookshop } from "../../fixtures/bookshop/index.mjs";

const floorPath = new URL("../bench/floor-bookshop.mjs", import.meta.url).pathname;
const recipePath = new URL("../../fixtures/bookshop/recipe.json", import.meta.url);

let shop: ServedBookshop;
beforeAll(async () => {
  shop = await serveBookshop();
});
afterAll(() => shop.close());

const collapse = (text: string) => text.replace(/\s+/g, " ").trim();
/** recipe.json's `| number`, written again here so that the generator is not checked against itself. */
const firstNumber = (text: string | null) => {
  const match = /\d[\d,]*(?:\.\d+)?/.exec(text ?? "");
  return match ? Number(match[0].replaceAll(",", "")) : null;
};

async function load(url: string) {
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
  return cheerio.load(await response.text());
}

/** A list page's rows as recipe.json's `books[]` fields read them. */
function rowsOf($: cheerio.CheerioAPI, pageUrl: string): ListItem[] {
  return $("article.product_pod")
    .toArray()
    .map((element) => {
      const row = $(element);
      const link = row.find("h3 a").first();
      const href = link.attr("href");
      const price = row.find(".price_color");
      return {
        title: link.attr("title") ?? null,
        url: href === undefined ? null : new URL(href, pageUrl).href,
        price: price.length ? firstNumber(price.first().text()) : null,
        rating: /star-rating (\w+)/.exec(row.find(".star-rating").attr("class") ?? "")?.[1] ?? null,
      };
    });
}

/** Follows `li.next a` from `url` until a page has none (or a page comes round again); the pages seen. */
async function followNext(url: string, limit = 50) {
  const pages: { url: string; $: cheerio.CheerioAPI; nextHref: string | undefined }[] = [];
  let current: string | null = url;
  while (current !== null && pages.length < limit && !pages.some((page) => page.url === current)) {
    const $ = await load(current);
    const nextHref = $("li.next a").attr("href");
    pages.push({ url: current, $, nextHref });
    current = nextHref === undefined ? null : new URL(nextHref, current).href;
  }
  return { pages, next: current };
}

describe("bookshop: catalogue list pages", () => {
  it("chains page 1 → 2 → 3 by relative next links, and the last page has none", async () => {
    const { pages, next } = await followNext(shop.startUrl);
    expect(shop.truth.listPages).toBe(3);
    expect(pages.map((page) => new URL(page.url).pathname)).toEqual([
      "/catalogue/page-1.html",
      "/catalogue/page-2.html",
      "/catalogue/page-3.html",
    ]);
    expect(pages.map((page) => page.nextHref)).toEqual(["page-2.html", "page-3.html", undefined]);
    expect(next).toBeNull();
    expect(collapse(pages[1]!.$("li.current").text())).toBe("Page 2 of 3");
    expect(pages[1]!.$("li.previous a").attr("href")).toBe("page-1.html");
  });

  it("shows each product once, in id order, with the truth's title, price, rating and link", async () => {
    const { pages } = await followNext(shop.startUrl);
    const rows = pages.flatMap((page) => rowsOf(page.$, page.url));
    expect(rows).toEqual(Array.from({ length: 60 }, (_, i) => shop.truth.listItem(i + 1, shop.origin)));
    for (const page of pages) {
      const n = Number(/page-(\d+)/.exec(page.url)![1]);
      expect(rowsOf(page.$, page.url)).toEqual(shop.truth.listData(n, shop.origin).books);
      // Links are relative, as on books.toscrape.com: the crawler must resolve them.
      for (const element of page.$("article.product_pod h3 a").toArray())
        expect(page.$(element).attr("href")).toMatch(/^\.\.\/catalogue\/[a-z0-9-]+_\d+\/index\.html$/);
    }
  });

  it("shows the short title as the link text and the availability with whitespace round it", async () => {
    const $ = await load(shop.startUrl);
    const pods = $("article.product_pod").toArray();
    pods.forEach((element, index) => {
      const product = shop.truth.product(index + 1);
      expect($(element).find("h3 a").text()).toBe(product.shortTitle);
      const availability = $(element).find(".availability").text();
      expect(availability).toMatch(/^\s*\n/);
      expect(collapse(availability)).toBe(product.available === null ? "Out of stock" : "In stock");
    });
    const long = Array.from({ length: 60 }, (_, i) => shop.truth.product(i + 1)).filter((product) => product.title.length > 40);
    expect(long.length).toBeGreaterThan(0);
    for (const product of long) expect(product.shortTitle).toMatch(/…$/);
  });

  it("has, in the default shop, products with no rating, no description, a thousands separator, none in stock", () => {
    const products = Array.from({ length: 60 }, (_, i) => shop.truth.product(i + 1));
    expect(products.filter((p) => p.rating === null).length).toBeGreaterThan(0);
    expect(products.filter((p) => p.description === null).length).toBeGreaterThan(0);
    expect(products.filter((p) => p.available === null).length).toBeGreaterThan(0);
    const expensive = products.filter((p) => p.price >= 1000);
    expect(expensive.length).toBeGreaterThan(0);
    for (const p of expensive) expect(p.priceText).toMatch(/^£\d{1,3}(,\d{3})+\.\d\d$/);
    // Titles carry characters that must be decoded: & and quotes in attributes, accents.
    expect(products.some((p) => /[&"']/.test(p.title))).toBe(true);
  });

  it("answers 404 for pages past the end, page 0, leading zeros and unknown paths", async () => {
    for (const path of ["/catalogue/page-4.html", "/catalogue/page-0.html", "/catalogue/page-01.html", "/catalogue/", "/nope"]) {
      expect((await fetch(shop.origin + path)).status, path).toBe(404);
    }
  });
});

describe("bookshop: product pages", () => {
  it("show the truth's title, price, availability, UPC, description, breadcrumbs and JSON-LD", async () => {
    for (let id = 0; id <= 60; id++) {
      const product = shop.truth.product(id);
      const $ = await load(shop.origin + product.path);
      const table = Object.fromEntries(
        $("table tr")
          .toArray()
          .map((row) => [$(row).find("th").text(), $(row).find("td").text()]),
      );
      expect(collapse($("h1").text())).toBe(product.title);
      expect($(".product_main .price_color").text()).toBe(product.priceText);
      expect(collapse($(".product_main .availability").text())).toBe(product.availabilityText);
      expect(table.UPC).toBe(product.upc);
      expect(table.Availability).toBe(product.availabilityText);
      expect(table["Price (incl. tax)"]).toBe(product.priceText);
      expect($("#product_description + p").length ? $("#product_description + p").text() : null).toBe(product.description);
      expect($(".product_main .star-rating").attr("class") ?? null).toBe(product.rating === null ? null : `star-rating ${product.rating}`);
      expect(
        $("ul.breadcrumb li")
          .toArray()
          .map((li) => collapse($(li).text())),
      ).toEqual(["Home", "Books", product.category, product.title]);
      expect(JSON.parse($('script[type="application/ld+json"]').text())).toEqual(shop.truth.jsonLd(id));
      // recipe.json's `book` fields, read by hand.
      const availability = firstNumber(collapse($(".product_main .availability").text()));
      expect({
        title: collapse($("h1").text()),
        price: firstNumber($(".product_main .price_color").text()),
        upc: $("th:contains(UPC) + td").text(),
        availability,
      }).toEqual(shop.truth.bookData(id));
    }
  });

  it("answer 404 for a wrong slug or an id past the end", async () => {
    const product = shop.truth.product(5);
    expect((await fetch(`${shop.origin}${product.path.replace("_5/", "_6/")}`)).status).toBe(404);
    expect((await fetch(`${shop.origin}/catalogue/anything_61/index.html`)).status).toBe(404);
  });
});

describe("bookshop: category pages", () => {
  it("list each product in exactly one category, every page of it reached by next links", async () => {
    const shown: number[] = [];
    for (let index = 0; index < shop.truth.categories; index++) {
      const category = shop.truth.category(index);
      const { pages, next } = await followNext(shop.origin + category.path());
      expect(next).toBeNull();
      expect(pages).toHaveLength(category.pages);
      const ids = pages.flatMap((page) => rowsOf(page.$, page.url).map((row) => Number(/_(\d+)\/index\.html$/.exec(row.url!)![1])));
      expect(ids).toEqual(Array.from({ length: category.pages }, (_, i) => category.productIds(i + 1)).flat());
      expect(collapse(pages[0]!.$("h1").text())).toBe(category.name);
      shown.push(...ids);
    }
    expect(shown.sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });
});

describe("bookshop: HTTP", () => {
  const path = "/catalogue/page-2.html";

  it("sends ETag and Last-Modified, and 304 for a matching If-None-Match or If-Modified-Since", async () => {
    const first = await fetch(shop.origin + path);
    const body = await first.text();
    const etag = first.headers.get("etag")!;
    const lastModified = first.headers.get("last-modified")!;
    expect(etag).toMatch(/^"[0-9a-f]{8}-0"$/);
    expect(Number.isNaN(Date.parse(lastModified))).toBe(false);
    expect(first.headers.get("content-length")).toBe(String(Buffer.byteLength(body)));

    const before = shop.stats.notModified;
    for (const headers of [
      { "if-none-match": etag },
      { "if-none-match": `W/${etag}` },
      { "if-none-match": `"x", ${etag}` },
      { "if-none-match": "*" },
      { "if-modified-since": lastModified },
    ]) {
      const response = await fetch(shop.origin + path, { headers });
      expect(response.status, JSON.stringify(headers)).toBe(304);
      expect(await response.text()).toBe("");
      expect(response.headers.get("etag")).toBe(etag);
    }
    expect(shop.stats.notModified - before).toBe(5);

    const older = new Date(Date.parse(lastModified) - 1000).toUTCString();
    expect((await fetch(shop.origin + path, { headers: { "if-modified-since": older } })).status).toBe(200);
    expect((await fetch(shop.origin + path, { headers: { "if-none-match": '"other"' } })).status).toBe(200);
    // If-None-Match decides when both are sent (RFC 9110 §13.2.2).
    expect((await fetch(shop.origin + path, { headers: { "if-none-match": '"other"', "if-modified-since": lastModified } })).status).toBe(
      200,
    );
    // Another page has another tag.
    expect((await fetch(`${shop.origin}/catalogue/page-3.html`)).headers.get("etag")).not.toBe(etag);
  });

  it("changes a touched page: new ETag, later Last-Modified, other bytes, and the old validators miss", async () => {
    const { shop: local, close } = await serveLocal();
    try {
      const before = await fetch(local.origin + path);
      const oldBody = await before.text();
      local.touch(path);
      const stale = await fetch(local.origin + path, { headers: { "if-none-match": before.headers.get("etag")! } });
      expect(stale.status).toBe(200);
      expect(stale.headers.get("etag")).not.toBe(before.headers.get("etag"));
      expect(Date.parse(stale.headers.get("last-modified")!)).toBeGreaterThan(Date.parse(before.headers.get("last-modified")!));
      expect(await stale.text()).not.toBe(oldBody);
      expect((await fetch(local.origin + path, { headers: { "if-modified-since": before.headers.get("last-modified")! } })).status).toBe(
        200,
      );
      expect((await fetch(local.origin + path, { headers: { "if-none-match": stale.headers.get("etag")! } })).status).toBe(304);
    } finally {
      await close();
    }
  });

  it("answers HEAD with headers only and other methods with 405", async () => {
    const head = await fetch(shop.startUrl, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get("content-length"))).toBeGreaterThan(10_000);
    expect(await head.text()).toBe("");
    expect((await fetch(shop.startUrl, { method: "POST" })).status).toBe(405);
  });

  it("waits latencyMs before answering", async () => {
    const slow = await serveBookshop({ latencyMs: 200 });
    try {
      const started = performance.now();
      await (await fetch(slow.startUrl)).text();
      expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    } finally {
      await slow.close();
    }
  });

  it("refuses bad options, naming the option", () => {
    expect(() => createBookshop({ products: 0 })).toThrow(/products must be an integer >= 1, got `0`/);
    expect(() => createBookshop({ perPage: 2.5 })).toThrow(/perPage/);
    expect(() => createBookshop({ latencyMs: -1 })).toThrow(/latencyMs/);
    expect(() => createBookshop({ product: 5 } as never)).toThrow(/unknown option `product`/);
  });
});

async function serveLocal() {
  const local = await serveBookshop();
  return { shop: local, close: () => local.close() };
}

describe("bookshop: scale", () => {
  it("serves 10,000 products on 500 list pages without keeping the pages in memory", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const big = createBookshop({ products: 10_000, categories: 50 });
    expect(big.truth.listPages).toBe(500);
    let bytes = 0;
    for (let n = 1; n <= 500; n++) bytes += Buffer.byteLength(big.respond(`/catalogue/page-${n}.html`).body);
    for (let id = 1; id <= 10_000; id += 7) bytes += Buffer.byteLength(big.respond(big.truth.product(id).path).body);
    const last = cheerio.load(big.respond("/catalogue/page-500.html").body as string);
    expect(last("article.product_pod")).toHaveLength(20);
    expect(last("li.next")).toHaveLength(0);
    expect(big.respond("/catalogue/page-501.html").status).toBe(404);
    gc();
    const retained = process.memoryUsage().heapUsed - heapBefore;
    // Over 12 MB of HTML was rendered; what stays is the shop's closures.
    expect(bytes).toBeGreaterThan(12_000_000);
    expect(retained).toBeLessThan(2_000_000);
  });

  it("costs nothing up front, even at 10,000,000 products", () => {
    const started = performance.now();
    const huge = createBookshop({ products: 10_000_000 });
    const page = huge.respond("/catalogue/page-500000.html");
    const product = huge.respond(huge.truth.product(9_999_999).path);
    expect(performance.now() - started).toBeLessThan(500);
    expect(page.status).toBe(200);
    expect(product.status).toBe(200);
    expect(cheerio.load(page.body as string)("li.next")).toHaveLength(0);
  });

  it("gives the same shop for the same seed and another for another seed", () => {
    const path = "/catalogue/page-1.html";
    expect(createBookshop({ seed: 7 }).respond(path).body).toBe(createBookshop({ seed: 7 }).respond(path).body);
    expect(createBookshop({ seed: 8 }).respond(path).body).not.toBe(createBookshop({ seed: 7 }).respond(path).body);
  });
});

describe("bookshop: awkward pages", () => {
  it("has list rows that lack a field each", async () => {
    const truth = shop.truth.awkward(shop.origin);
    const url = shop.origin + truth.paths.missingFields;
    const rows = rowsOf(await load(url), url);
    expect(rows).toEqual(truth.missingFields.items);
    for (const field of ["title", "url", "price", "rating"] as const)
      expect(
        rows.some((row) => row[field] === null),
        field,
      ).toBe(true);
  });

  it("has nested lists: shelves of books, each with tags and authors", async () => {
    const truth = shop.truth.awkward(shop.origin);
    const url = shop.origin + truth.paths.nested;
    const $ = await load(url);
    const shelves = $("section.shelf")
      .toArray()
      .map((shelf) => ({
        name: $(shelf).find("h2").text(),
        books: $(shelf)
          .find("article.product_pod")
          .toArray()
          .map((book) => ({
            title: $(book).find("h3 a").attr("title"),
            url: new URL($(book).find("h3 a").attr("href")!, url).href,
            tags: $(book)
              .find("ul.tags li")
              .toArray()
              .map((li) => $(li).text()),
            authors: $(book)
              .find("ul.authors li")
              .toArray()
              .map((li) => ({ name: $(li).find(".name").text() })),
          })),
      }));
    expect(shelves).toEqual(truth.nested.shelves);
    expect(shelves.some((shelf) => shelf.books.length === 0)).toBe(true);
  });

  it("has a next link that loops back to page 1", async () => {
    const truth = shop.truth.awkward(shop.origin);
    const { pages, next } = await followNext(shop.origin + truth.paths.loop[0]);
    expect(pages.map((page) => new URL(page.url).pathname)).toEqual(truth.paths.loop);
    expect(next).toBe(shop.origin + truth.paths.loop[0]);
    expect(pages.map((page) => rowsOf(page.$, page.url))).toEqual(truth.loop.pages.map((page) => page.items));
  });

  it("has a product link outside every row, to a product that no list shows", async () => {
    const truth = shop.truth.awkward(shop.origin);
    const url = shop.origin + truth.paths.carry;
    const $ = await load(url);
    expect(rowsOf($, url)).toEqual(truth.carry.items);
    const promo = $("aside.promo a");
    expect(promo.closest("article.product_pod")).toHaveLength(0);
    expect(new URL(promo.attr("href")!, url).href).toBe(truth.carry.unlisted.url);
    expect((await fetch(truth.carry.unlisted.url)).status).toBe(200);
    const listed = Array.from({ length: shop.truth.listPages }, (_, i) => shop.truth.listPage(i + 1).productIds).flat();
    expect(listed).not.toContain(truth.carry.unlisted.id);
  });
});

describe("bookshop: recipe.json", () => {
  it("is a SPEC §6 recipe: list pages follow next (list) and rows (book), books carry their row", () => {
    const recipe = JSON.parse(readFileSync(recipePath, "utf8"));
    expect(Object.keys(recipe).sort()).toEqual(["pages", "start"]);
    expect(new URL(recipe.start[0]).pathname).toBe("/catalogue/page-1.html");
    expect(Object.keys(recipe.pages)).toEqual(["list", "book"]);
    expect(recipe.pages.list.follow).toEqual({ list: "li.next a", book: "article.product_pod h3 a" });
    expect(Object.keys(recipe.pages.list.select)).toEqual(["books[]", "books[].title", "books[].url", "books[].price", "books[].rating"]);
    expect(recipe.pages.list.select["books[].rating"]).toBe(".star-rating@class | re:star-rating (\\w+)");
    expect(Object.keys(recipe.pages.book.select)).toEqual(["title", "price", "upc", "availability"]);
    expect(recipe.pages.book.carry).toBe(true);
    // Every kind a follow entry names is described.
    for (const kind of Object.values(recipe.pages).flatMap((page) => Object.keys((page as { follow?: object }).follow ?? {})))
      expect(recipe.pages).toHaveProperty(kind);
  });

  it("moves its start to a served shop with recipeFor()", () => {
    expect(recipeFor(shop.origin).start).toEqual([shop.startUrl]);
  });
});

/** The NDJSON a perfect recipe run gives on `served` (list records, then book records). */
function perfectRun(served: ServedBookshop) {
  const { truth, origin } = served;
  const lines: string[] = [];
  for (let n = 1; n <= truth.listPages; n++) {
    lines.push(JSON.stringify({ url: origin + truth.listPage(n).path, ok: true, kind: "list", data: truth.listData(n, origin) }));
  }
  for (let id = 1; id <= truth.products; id++) {
    lines.push(
      JSON.stringify({
        url: origin + truth.product(id).path,
        ok: true,
        kind: "book",
        data: truth.bookData(id),
        from: truth.listItem(id, origin),
      }),
    );
  }
  return lines;
}

describe("bookshop: the record checker", () => {
  it("passes a perfect run and names what is wrong in a broken one", async () => {
    const lines = perfectRun(shop);
    expect((await checkBookshopRecords(lines, shop)).exact).toBe(true);

    const book = (id: number) => JSON.parse(lines[shop.truth.listPages + id - 1]!);
    const broken = [...lines];
    broken.splice(shop.truth.listPages, 1); // product 1 missing
    broken.push(lines[shop.truth.listPages + 1]!); // product 2 twice
    broken[shop.truth.listPages + 2] = JSON.stringify({ ...book(4), data: { ...book(4).data, price: 0 } });
    broken[shop.truth.listPages + 3] = JSON.stringify({ ...book(5), from: null });
    broken[0] = JSON.stringify({ ...JSON.parse(lines[0]!), ok: false });
    broken.push(JSON.stringify({ url: `${shop.origin}/catalogue/category/books/travel_2/index.html`, ok: true }));
    const result = await checkBookshopRecords(broken, shop);
    expect(result.exact).toBe(false);
    expect(result.books).toMatchObject({ distinct: 59, missing: 1, duplicates: 1, wrong: 2 });
    expect(result.stray).toBe(1);
    expect(result.ok).toBe(result.records - 1);
    expect(result.problems.join("\n")).toMatch(/price/);
  });

  it("agrees with the W4 floor's crawl of the shop: every page once, every value right", async () => {
    const child = spawn(process.execPath, [floorPath, "--start", shop.startUrl, "-c", "8"], { stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    const result = await checkBookshopRecords(output.split("\n"), shop);
    expect(result.problems).toEqual([]);
    expect(result.exact).toBe(true);
    expect(result.records).toBe(63);
  });
});
