import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { EACH_KEY, isEmptyPlan, planExtraction } from "../../src/extract/plan.js";

describe("planExtraction: the field tree", () => {
  it("keeps plain fields at the top, in the order given", () => {
    const plan = planExtraction({ select: { title: "h1", "links[]": "a@href", price: ".price | number" } });
    expect(plan.fields.map((field) => [field.name, field.option, field.all, field.fields])).toEqual([
      ["title", "select.title", false, null],
      ["links", "select.links[]", true, null],
      ["price", "select.price", false, null],
    ]);
    expect(plan.follow).toEqual([]);
  });

  it("puts sub-fields inside their list, in the order given, to any depth, whatever the order of the keys", () => {
    const plan = planExtraction({
      select: {
        "books[].title": "h3 a@title",
        "books[]": "article",
        "books[].authors[].name": "b",
        "books[].authors[]": ".author",
        "books[].tags[]": "li",
        heading: "h1",
      },
    });
    expect(plan.fields.map((field) => field.name)).toEqual(["books", "heading"]);
    const books = plan.fields[0];
    expect(books).toMatchObject({ selector: "article", all: true });
    expect(books?.fields?.map((field) => field.name)).toEqual(["title", "authors", "tags"]);
    const authors = books?.fields?.[1];
    expect(authors).toMatchObject({ selector: ".author", all: true, option: "select.books[].authors[]" });
    expect(authors?.fields).toEqual([
      {
        name: "name",
        option: "select.books[].authors[].name",
        selector: "b",
        read: { kind: "text" },
        filters: [],
        all: false,
        fields: null,
      },
    ]);
    // An array field with no sub-fields stays an array of values.
    expect(books?.fields?.[2]).toMatchObject({ name: "tags", all: true, fields: null });
  });

  it("refuses a sub-field with no list, naming it", () => {
    expect(() => planExtraction({ select: { "books[].title": "h3" } })).toThrow(UsageError);
    expect(() => planExtraction({ select: { "books[].title": "h3" } })).toThrow(
      /^select\.books\[\]\.title: a sub-field needs its list, and there is no field "books\[\]"/,
    );
    expect(() => planExtraction({ select: { "books[]": "article", "books[].authors[].name": "b" } })).toThrow(
      /^select\.books\[\]\.authors\[\]\.name: /,
    );
  });

  it("refuses a sub-field whose parent is a plain field, naming it", () => {
    expect(() => planExtraction({ select: { book: "article", "book.title": "h3" } })).toThrow(
      /^select\.book\.title: "book" is not a list field/,
    );
  });

  it("refuses a list with sub-fields that reads an attribute or takes filters", () => {
    expect(() => planExtraction({ select: { "books[]": "article@id", "books[].title": "h3" } })).toThrow(
      /^select\.books\[\]: a list with sub-fields/,
    );
    expect(() => planExtraction({ select: { "books[]": "article | lower", "books[].title": "h3" } })).toThrow(/^select\.books\[\]: /);
    expect(() => planExtraction({ select: { "books[]": "@id", "books[].title": "h3" } })).toThrow(/^select\.books\[\]: /);
  });

  it("refuses a key given twice (books and books[])", () => {
    expect(() => planExtraction({ select: { books: "h1", "books[]": "article" } })).toThrow(
      /^select\.books\[\]: the key "books" is given twice \(as select\.books too\)/,
    );
  });

  it("refuses a value that is not a string (from JavaScript)", () => {
    expect(() => planExtraction({ select: { title: 42 as unknown as string } })).toThrow(/^select\.title must be a string/);
  });

  it("names fields under another base", () => {
    expect(() => planExtraction({ select: { "x[].y": "a" } }, { select: "pages.book.select" })).toThrow(/^pages\.book\.select\.x\[\]\.y: /);
  });
});

describe("planExtraction: each", () => {
  it("wraps every field in one list, `items`, with the each selector", () => {
    const plan = planExtraction({ select: { title: "h3", "tags[]": "li" }, each: " article " });
    expect(plan.fields).toHaveLength(1);
    expect(plan.fields[0]).toMatchObject({ name: EACH_KEY, option: "each", selector: "article", all: true });
    expect(plan.fields[0]?.fields?.map((field) => field.name)).toEqual(["title", "tags"]);
  });

  it("refuses an empty selector, naming the option", () => {
    expect(() => planExtraction({ select: { t: "h3" }, each: "  " })).toThrow(/^each must be a CSS selector/);
    expect(() => planExtraction({ each: "" }, { each: "pages.list.each" })).toThrow(/^pages\.list\.each /);
  });
});

describe("planExtraction: follow", () => {
  it("parses link selectors with their kind and option", () => {
    const plan = planExtraction({
      follow: [{ selector: "li.next a", kind: "list" }, { selector: "img@data-src" }, { selector: "a", option: "crawl.follow[2]" }],
    });
    expect(plan.follow).toEqual([
      { kind: "list", option: "follow.list", selector: "li.next a", attribute: "href" },
      { kind: null, option: "follow", selector: "img", attribute: "data-src" },
      { kind: null, option: "crawl.follow[2]", selector: "a", attribute: "href" },
    ]);
  });
});

describe("isEmptyPlan", () => {
  it("is true with neither fields nor links", () => {
    expect(isEmptyPlan(planExtraction({}))).toBe(true);
    expect(isEmptyPlan(planExtraction({ select: { t: "h1" } }))).toBe(false);
    expect(isEmptyPlan(planExtraction({ follow: [{ selector: "a" }] }))).toBe(false);
  });
});
