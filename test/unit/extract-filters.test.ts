import { describe, expect, it } from "vitest";
import { compileFilters, firstNumber, MAX_JSON_DEPTH, parseFilter, parseJson } from "../../src/extract/filters.js";

const chain = (...filters: string[]) => {
  const compiled = compileFilters(filters.map((filter) => parseFilter(filter, "select.x")));
  if (!compiled) throw new Error("no filters");
  return compiled;
};

describe("firstNumber", () => {
  it.each([
    ["£1,299.50", 1299.5],
    ["1,299.50", 1299.5],
    ["Price: 12.99 EUR", 12.99],
    ["42", 42],
    ["In stock (22 available)", 22],
    ["-3 °C", -3],
    ["\u22125", -5],
    ["item-3", 3],
    ["2020-2021", 2020],
    ["1,2,3", 1],
    ["12,34", 12],
    ["1234,567", 1234],
    [".5 kg", 0.5],
    ["v1.2.3", 1.2],
  ])("reads %j as %j", (text, expected) => {
    expect(firstNumber(text)).toBe(expected);
  });

  it.each(["", "free", "N/A", "-", ",", "."])("is null for %j", (text) => {
    expect(firstNumber(text)).toBeNull();
  });
});

describe("parseJson", () => {
  it("parses JSON, null when it is not JSON", () => {
    expect(parseJson('{"@type":"Book","offers":{"price":"12.00"}}')).toEqual({ "@type": "Book", offers: { price: "12.00" } });
    expect(parseJson(" [1, true, null] ")).toEqual([1, true, null]);
    expect(parseJson("{not json")).toBeNull();
    expect(parseJson("")).toBeNull();
  });

  // A record is written by JSON.stringify and crosses threads by structured clone: both recurse.
  it("is null for JSON nested deeper than MAX_JSON_DEPTH, without overflowing the stack", () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    expect(parseJson(deep)).toBeNull();
    const atLimit = "[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH);
    expect(parseJson(atLimit)).not.toBeNull();
    expect(parseJson(`[${atLimit}]`)).toBeNull();
  });
});

describe("compileFilters", () => {
  it("is null with no filters: a plain field pays nothing", () => {
    expect(compileFilters([])).toBeNull();
  });

  it("number and int", () => {
    expect(chain("number")("£1,299.50")).toBe(1299.5);
    expect(chain("int")("£1,299.50")).toBe(1299);
    expect(chain("int")("-2.7")).toBe(-2);
    expect(chain("number")("free")).toBeNull();
    expect(chain("int")("none")).toBeNull();
  });

  it("re: the first capture group, or the whole match; null when no match or the group took no part", () => {
    expect(chain("re:/p/(\\d+)")("https://shop.test/p/123/x")).toBe("123");
    expect(chain("re:\\d+")("abc 42 def")).toBe("42");
    expect(chain("re:(a)|(b)")("b")).toBeNull();
    expect(chain("re:x(\\d)")("nothing here")).toBeNull();
  });

  it("lower and upper", () => {
    expect(chain("lower")("In Stock")).toBe("in stock");
    expect(chain("upper")("In Stock")).toBe("IN STOCK");
  });

  it("json", () => {
    expect(chain("json")('{"a":[1]}')).toEqual({ a: [1] });
    expect(chain("json")("nope")).toBeNull();
  });

  it("chains left to right, null ending the chain", () => {
    expect(chain("re:Rating: (\\w+)", "lower")("Rating: FIVE stars")).toBe("five");
    expect(chain("re:id=(\\d+)", "int")("?id=0042")).toBe(42);
    expect(chain("re:nomatch", "upper")("text")).toBeNull();
    // A number read as text by the next filter.
    expect(chain("number", "re:^(\\d+)")("12.5 kg")).toBe("12");
    expect(chain("json", "number")('"3 items"')).toBe(3);
    // Arrays and objects hold no text: a text filter on them finds nothing.
    expect(chain("json", "upper")("[1]")).toBeNull();
  });
});
