import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { parseLinkSelector, parseSelectArgument, parseSelectField } from "../../src/extract/fields.js";

describe("parseSelectArgument", () => {
  it("takes an element's text for a plain selector", () => {
    expect(parseSelectArgument("heading=h1")).toEqual({
      name: "heading",
      path: ["heading"],
      option: "select.heading",
      selector: "h1",
      read: { kind: "text" },
      filters: [],
      all: false,
    });
  });

  it("splits off the attribute after @", () => {
    expect(parseSelectArgument("link=a@href")).toMatchObject({
      name: "link",
      selector: "a",
      read: { kind: "attribute", name: "href" },
      all: false,
    });
  });

  it("collects every match for name[]=…, with the name stripped of []", () => {
    expect(parseSelectArgument("links[]=a@href")).toMatchObject({ name: "links", path: ["links"], option: "select.links[]", all: true });
  });

  it("keeps an @ that sits inside brackets as part of the selector", () => {
    expect(parseSelectArgument('x=[data-x="a@b"]')).toMatchObject({ selector: '[data-x="a@b"]', read: { kind: "text" } });
    expect(parseSelectArgument("x=[data-x=a@b]")).toMatchObject({ selector: "[data-x=a@b]", read: { kind: "text" } });
  });

  it("still reads a trailing @attr after a bracketed @", () => {
    expect(parseSelectArgument('x=a[title="me@home"]@href')).toMatchObject({
      selector: 'a[title="me@home"]',
      read: { kind: "attribute", name: "href" },
    });
  });

  it("keeps everything after the first = in the selector", () => {
    expect(parseSelectArgument('img=img[alt="a=b"]@src')).toMatchObject({
      name: "img",
      selector: 'img[alt="a=b"]',
      read: { kind: "attribute", name: "src" },
    });
  });

  it.each(["h1", "=h1", "title=", "title=   ", "my field=h1"])("throws a UsageError for %j", (argument) => {
    expect(() => parseSelectArgument(argument)).toThrow(UsageError);
  });

  it("names the field by its option path, never a flag", () => {
    expect(() => parseSelectArgument("title=   ")).toThrow(/^select\.title needs a CSS selector/);
    const error = (() => {
      try {
        parseSelectArgument("title=");
      } catch (caught) {
        return caught as UsageError;
      }
    })();
    expect(error?.option).toBe("select.title");
    expect(error?.message).not.toContain("--");
  });
});

describe("parseSelectField: `@attr` alone, pseudo-attributes", () => {
  it("reads the element the field is evaluated in when there is no selector", () => {
    expect(parseSelectField("id", "@data-id")).toMatchObject({ selector: null, read: { kind: "attribute", name: "data-id" } });
    expect(parseSelectField("links[]", "@href")).toMatchObject({ selector: null, all: true });
  });

  it("knows @text, @html and @outerHtml, spelt so", () => {
    expect(parseSelectField("t", "p@text").read).toEqual({ kind: "text" });
    expect(parseSelectField("h", "div@html").read).toEqual({ kind: "html" });
    expect(parseSelectField("o", "div@outerHtml").read).toEqual({ kind: "outerHtml" });
    expect(parseSelectField("o", "@outerHtml")).toMatchObject({ selector: null, read: { kind: "outerHtml" } });
  });

  // The parser lower-cases attribute names: a name with a capital letter would match nothing, ever.
  it.each([
    ["div@innerHTML", /unknown pseudo-attribute "@innerHTML" \(did you mean @html\?/],
    ["div@outerHTML", /unknown pseudo-attribute "@outerHTML" \(did you mean @outerHtml\?/],
    ["div@outerhtml", /did you mean @outerHtml\?/],
    ["div@textContent", /did you mean @text\?/],
    ["a@HREF", /unknown pseudo-attribute "@HREF" \(attribute names are lower case: write "@href"/],
    ["svg@viewBox", /write "@viewbox"/],
  ])("refuses %s, naming the field", (value, message) => {
    expect(() => parseSelectField("x", value)).toThrow(UsageError);
    expect(() => parseSelectField("x", value)).toThrow(/^select\.x: /);
    expect(() => parseSelectField("x", value)).toThrow(message);
  });
});

describe("parseSelectField: names of items", () => {
  it("reads list[].field as a field inside the list's elements", () => {
    expect(parseSelectField("books[].title", "h3 a@title")).toMatchObject({
      name: "books[].title",
      path: ["books", "title"],
      option: "select.books[].title",
      all: false,
    });
    expect(parseSelectField("books[].tags[]", "li")).toMatchObject({ name: "books[].tags", path: ["books", "tags"], all: true });
    expect(parseSelectField("books[].authors[].name", "b")).toMatchObject({ path: ["books", "authors", "name"] });
  });

  it("refuses a sub-field whose parent is not a list, naming the field", () => {
    expect(() => parseSelectField("book.title", "h3")).toThrow(/^select\.book\.title: "book" is not a list field/);
    expect(() => parseSelectField("books[].author.name", "b")).toThrow(/^select\.books\[\]\.author\.name: "author" is not a list field/);
  });

  it.each(["[]", "a..b", "a[].", ".a", "a[]b", "a b"])("refuses the name %j", (key) => {
    expect(() => parseSelectField(key, "h1")).toThrow(UsageError);
  });

  it("trims the selector and the key", () => {
    expect(parseSelectField(" t ", "  h1  ")).toMatchObject({ name: "t", selector: "h1" });
  });

  it("takes the key under another base for messages", () => {
    expect(() => parseSelectField("x", "a@innerHTML", "pages.book.select")).toThrow(/^pages\.book\.select\.x: /);
  });
});

describe("parseSelectField: filters after ` | `", () => {
  it("splits the filters off, in order", () => {
    expect(parseSelectField("p", ".price | number")).toMatchObject({
      selector: ".price",
      read: { kind: "text" },
      filters: [{ name: "number" }],
    });
    expect(parseSelectField("p", "a@href | re:/p/(\\d+) | int")).toMatchObject({
      selector: "a",
      read: { kind: "attribute", name: "href" },
      filters: [{ name: "re", source: "/p/(\\d+)" }, { name: "int" }],
    });
    expect(parseSelectField("j", "script[type='application/ld+json'] | json").filters).toEqual([{ name: "json" }]);
    expect(parseSelectField("l", "@lang | lower | upper").filters).toEqual([{ name: "lower" }, { name: "upper" }]);
  });

  it("leaves CSS's own bars alone: namespaces, |=, and bars inside brackets or quotes", () => {
    expect(parseSelectField("x", "[lang|=en]")).toMatchObject({ selector: "[lang|=en]", filters: [] });
    expect(parseSelectField("x", '[title="a | b"]')).toMatchObject({ selector: '[title="a | b"]', filters: [] });
    expect(parseSelectField("x", '[title="a | b"] | upper')).toMatchObject({ selector: '[title="a | b"]', filters: [{ name: "upper" }] });
  });

  it("refuses an unknown filter before the run, naming the field and the filters there are", () => {
    expect(() => parseSelectField("price", ".price | numbr")).toThrow(UsageError);
    expect(() => parseSelectField("price", ".price | numbr")).toThrow(
      /^select\.price: unknown filter "numbr" \(the filters are number, int, re:<regex>, json, lower, upper\)/,
    );
  });

  it("refuses a regex that does not compile, or is empty, naming the field", () => {
    expect(() => parseSelectField("id", "a@href | re:(")).toThrow(/^select\.id: the regular expression of "\| re:\(" does not compile/);
    expect(() => parseSelectField("id", "a@href | re:")).toThrow(/^select\.id: the filter "re:" needs a regular expression/);
  });
});

describe("parseLinkSelector", () => {
  it("reads href unless an attribute is named", () => {
    expect(parseLinkSelector("li.next a", "follow")).toEqual({ selector: "li.next a", attribute: "href" });
    expect(parseLinkSelector("img.thumb@data-src", "follow")).toEqual({ selector: "img.thumb", attribute: "data-src" });
  });

  it("refuses pseudo-attributes and empty selectors, naming the option", () => {
    expect(() => parseLinkSelector("a@html", "follow.book")).toThrow(/^follow\.book: a link is read from an attribute/);
    expect(() => parseLinkSelector("@href", "follow.book")).toThrow(/^follow\.book needs a CSS selector/);
    expect(() => parseLinkSelector("a@HREF", "follow")).toThrow(/^follow: unknown pseudo-attribute/);
  });
});
