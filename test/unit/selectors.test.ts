import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { parseSelectArgument, parseSelectField } from "../../src/extract/fields.js";

describe("parseSelectArgument", () => {
  it("takes an element's text for a plain selector", () => {
    expect(parseSelectArgument("heading=h1")).toEqual({ name: "heading", selector: "h1", attribute: null, all: false });
  });

  it("splits off the attribute after @", () => {
    expect(parseSelectArgument("link=a@href")).toEqual({ name: "link", selector: "a", attribute: "href", all: false });
  });

  it("lower-cases the attribute name", () => {
    expect(parseSelectArgument("link=a@HREF").attribute).toBe("href");
  });

  it("collects every match for name[]=…, with the key stripped of []", () => {
    expect(parseSelectArgument("links[]=a@href")).toEqual({ name: "links", selector: "a", attribute: "href", all: true });
  });

  it("keeps an @ that sits inside brackets as part of the selector", () => {
    expect(parseSelectArgument('x=[data-x="a@b"]')).toEqual({
      name: "x",
      selector: '[data-x="a@b"]',
      attribute: null,
      all: false,
    });
    expect(parseSelectArgument("x=[data-x=a@b]")).toMatchObject({ selector: "[data-x=a@b]", attribute: null });
  });

  it("still reads a trailing @attr after a bracketed @", () => {
    expect(parseSelectArgument('x=a[title="me@home"]@href')).toMatchObject({
      selector: 'a[title="me@home"]',
      attribute: "href",
    });
  });

  it("keeps everything after the first = in the selector", () => {
    expect(parseSelectArgument('img=img[alt="a=b"]@src')).toMatchObject({
      name: "img",
      selector: 'img[alt="a=b"]',
      attribute: "src",
    });
  });

  it.each(["h1", "=h1", "title=", "title=   ", "title=@href", "links[]=@href"])("throws a UsageError for %j", (argument) => {
    expect(() => parseSelectArgument(argument)).toThrow(UsageError);
  });

  it("names the field when the selector is empty", () => {
    expect(() => parseSelectArgument("title=@href")).toThrow(/title/);
  });
});

describe("parseSelectField", () => {
  it("rejects a field name with spaces", () => {
    expect(() => parseSelectField("my field", "h1")).toThrow(UsageError);
  });

  it("rejects an empty name before []", () => {
    expect(() => parseSelectField("[]", "a")).toThrow(UsageError);
  });

  it("trims the selector", () => {
    expect(parseSelectField("t", "  h1  ").selector).toBe("h1");
  });
});
