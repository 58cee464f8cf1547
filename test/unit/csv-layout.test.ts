/** SPEC §4: CSV columns, optional keys, and one row per item. */
import { describe, expect, it } from "vitest";
import { csvFormat } from "../../src/cli/formats/csv.js";
import { csvHeaders, csvLayout } from "../../src/cli/formats/csv-layout.js";
import type { TrawlRecord } from "../../src/record.js";
import { okRecord } from "../helpers/records.js";

const FIXED = ["url", "finalUrl", "status", "ok", "attempts", "ms", "bytes", "contentType", "title", "error"];

const page = (data: Record<string, unknown>, extra: Record<string, unknown> = {}): TrawlRecord =>
  okRecord("https://shop.test/p1", { title: "Page", data: data as TrawlRecord["data"], ...extra });

const rows = (text: string) => text.split("\r\n").filter(Boolean);

describe("csvLayout", () => {
  it("plain fields: one column each, in order, after the optional columns in SPEC order", () => {
    const layout = csvLayout(["h1", "links[]"], ["file", "parent", "depth"]);
    expect(csvHeaders(layout)).toEqual([...FIXED, "depth", "parent", "file", "h1", "links"]);
    expect(layout.items).toBeNull();
  });

  it("one list with sub-fields: items, their columns named list.field, deeper fields inside", () => {
    const layout = csvLayout(["category", "books[]", "books[].title", "books[].tags[]", "books[].authors[]", "books[].authors[].name"], []);
    expect(csvHeaders(layout)).toEqual([...FIXED, "category", "item", "books.title", "books.tags", "books.authors"]);
  });

  it("two lists with sub-fields: no item rows, each list a JSON cell", () => {
    const layout = csvLayout(["a[]", "a[].x", "b[]", "b[].y"], []);
    expect(layout.items).toBeNull();
    expect(csvHeaders(layout)).toEqual([...FIXED, "a", "b"]);
  });

  it("--each: every field is an item field under items", () => {
    expect(csvHeaders(csvLayout(["title", "price"], [], "article"))).toEqual([...FIXED, "item", "items.title", "items.price"]);
  });
});

describe("csvFormat with items", () => {
  const layout = csvLayout(["category", "books[]", "books[].title", "books[].price"], ["depth"]);
  it("writes one row per item, the page's columns repeated, item counting from 0", () => {
    const text = csvFormat(layout).record(
      page(
        {
          category: "Poetry",
          books: [
            { title: "A, B", price: 1.5 },
            { title: "C", price: null },
          ],
        },
        { depth: 1 },
      ),
      0,
    );
    const [first, second] = rows(text);
    expect(first).toBe('https://shop.test/p1,https://shop.test/p1,200,true,1,5,10,text/html,Page,,1,Poetry,0,"A, B",1.5');
    expect(second).toBe("https://shop.test/p1,https://shop.test/p1,200,true,1,5,10,text/html,Page,,1,Poetry,1,C,");
  });

  it("a page with no item still gets one row, its item columns empty", () => {
    expect(rows(csvFormat(layout).record(page({ category: "Empty", books: [] }), 0))).toEqual([
      "https://shop.test/p1,https://shop.test/p1,200,true,1,5,10,text/html,Page,,,Empty,,,",
    ]);
    expect(rows(csvFormat(layout).record(page({}), 0))).toHaveLength(1);
  });

  it("on a terminal, strips control characters from cells", () => {
    const text = csvFormat(csvLayout(["h"], []), true).record(page({ h: "a\u001b[2Jb\u009bc" }, { title: "t\u0007" }), 0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
    expect(text.slice(0, -2)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(text).toContain(",ab");
  });
});
