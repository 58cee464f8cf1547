/**
 * The extractor the lead wires: plans checked up front, one plan per kind of page chosen per call,
 * pages moved to parse threads (the built JS, as a run uses it), links and their items carried
 * back whole, and a title-only plan read on the main thread.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { UsageError } from "../../dist/errors.js";
import { createExtractor, type Extractor } from "../../dist/extract/extractor.js";
import { ExtractWorkers } from "../../dist/extract/parse-threads.js";
import type { FetchOutcome } from "../../dist/http/fetch-with-retry.js";
import { planExtraction } from "../../dist/extract/plan.js";
import { fetchedRecord } from "../../dist/records/make-record.js";

let extractor: Extractor | undefined;
afterEach(async () => {
  await extractor?.close();
  extractor = undefined;
});

const LIST = `<html><head><title>List</title></head><body>${Array.from(
  { length: 300 },
  (_, i) => `<article data-rank="${i}"><h3><a href="/book/${i}">Book ${i}</a></h3><p class=price>£${i}.99</p></article>`,
).join("")}<li class=next><a href="/page/2">next</a></li></body></html>`;

describe("createExtractor", () => {
  it("extracts with the plan asked for, links carrying their item through the thread", async () => {
    extractor = await createExtractor([
      planExtraction({
        select: { "books[]": "article", "books[].rank": "@data-rank | int", "books[].price": ".price | number" },
        follow: [
          { selector: "li.next a", kind: "list" },
          { selector: "article h3 a", kind: "book" },
        ],
      }),
      planExtraction({}),
      planExtraction({ select: { h: "h3", n: ".price | number" } }),
    ]);
    // Big enough for its memory to be moved to the thread rather than copied.
    const body = Buffer.from(LIST);
    const list = await extractor.extract(body, "text/html", "https://shop.test/page/1", 0);
    const books = list.data.books as { rank: number; price: number }[];
    expect(books).toHaveLength(300);
    expect(books[7]).toEqual({ rank: 7, price: 7.99 });
    expect(list.links?.[0]).toEqual({ url: "https://shop.test/page/2", kind: "list", item: null, nofollow: false });
    const book = list.links?.find((link) => link.url === "https://shop.test/book/7");
    expect(book).toMatchObject({ kind: "book", item: { rank: 7, price: 7.99 } });
    // One structured clone carries data and links: the link's item is the very object in data.
    expect(book?.item).toBe(books[7]);

    const titleOnly = await extractor.extract(Buffer.from(LIST), "text/html", "https://shop.test/page/1", 1);
    expect(titleOnly).toEqual({ title: "List", data: {} });
    const detail = await extractor.extract(Buffer.from(LIST), "text/html", "https://shop.test/page/1", 2);
    expect(detail).toEqual({ title: "List", data: { h: "Book 0", n: 0.99 } });
  });

  it("takes a single plan, extracted with by default", async () => {
    extractor = await createExtractor(planExtraction({ select: { h: "h3" } }));
    expect(await extractor.extract(Buffer.from(LIST), "text/html", "https://shop.test/")).toEqual({ title: "List", data: { h: "Book 0" } });
  });

  it("refuses a bad selector of any plan before any page, naming its option", async () => {
    const bad = createExtractor([
      planExtraction({ select: { t: "h1" } }),
      planExtraction({ select: { x: "div[" } }, { select: "pages.book.select" }),
    ]);
    await expect(bad).rejects.toThrow('pages.book.select.x: invalid selector "div[" at character 5: expected a name');
    await expect(bad).rejects.toBeInstanceOf(Error);
    await expect(bad.catch((error: unknown) => (error as UsageError).option)).resolves.toBe("pages.book.select.x");
  });

  it("survives a 100,000-deep page on a parse thread", { timeout: 30_000 }, async () => {
    extractor = await createExtractor(planExtraction({ select: { outer: "div", deep: "#bottom" } }));
    const deep = `<html><body>${"<div>".repeat(100_000)}<p id=bottom>bottom</p>${"</div>".repeat(100_000)}</body></html>`;
    expect(await extractor.extract(Buffer.from(deep), "text/html", "https://x.test/")).toEqual({
      title: null,
      data: { outer: "bottom", deep: "bottom" },
    });
  });
});

describe("a page that cannot be parsed (SPEC §3)", () => {
  it("a parse thread's failure rejects that page alone; the next page is parsed", async () => {
    const workers = new ExtractWorkers([planExtraction({ select: { h: "h3" } })], 1);
    try {
      await expect(workers.extract(Buffer.from(LIST), "text/html", "https://shop.test/", 7)).rejects.toThrow(
        /^extraction failed: no extraction plan 7$/,
      );
      const next = await workers.extract(Buffer.from(LIST), "text/html", "https://shop.test/", 0);
      expect(next.data).toEqual({ h: "Book 0" });
    } finally {
      await workers.close();
    }
  });

  it("costs its own record: EPROTOCOL with the reason, the status kept", async () => {
    const failing: Extractor = {
      extract: () => Promise.reject(new Error("parse thread exited with code 1")),
      close: async () => undefined,
    };
    const outcome: FetchOutcome = {
      finalUrl: "https://shop.test/",
      status: 200,
      contentType: "text/html",
      body: Buffer.from(LIST),
      error: null,
      retryAfterMs: null,
      responseHeaders: null,
      requestHeaders: null,
      attempts: 1,
    };
    const record = await fetchedRecord("https://shop.test/", outcome, performance.now(), {
      extractor: failing,
      saveDir: undefined,
      place: undefined,
    });
    expect(record).toMatchObject({
      ok: false,
      status: 200,
      title: null,
      error: { code: "EPROTOCOL", message: "the page could not be parsed: parse thread exited with code 1" },
    });
  });
});
