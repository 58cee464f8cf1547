/**
 * The type-level shape of `data` for a `select` literal (field-types.ts). The assertions are types:
 * vitest's expectTypeOf does nothing when the file runs, so the last test type-checks this very
 * file with the TypeScript compiler, and fails on any error (a `// @ts-expect-error` that is not
 * needed is an error too, so the helper cannot quietly become `any`).
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { typeErrorsOf } from "../helpers/type-check.js";
import type { SelectData, TrawlData } from "../../src/extract/field-types.js";
import type { ExtractedValue } from "../../src/record.js";

describe("SelectData", () => {
  it("gives a string or null for a plain field and a string array for name[]", () => {
    expectTypeOf<SelectData<{ h1: "h1"; link: "a@href"; "h[]": "h2"; lang: "@lang" }>>().toEqualTypeOf<{
      h1: string | null;
      link: string | null;
      h: string[];
      lang: string | null;
    }>();
  });

  it("types values by their last filter", () => {
    expectTypeOf<
      SelectData<{
        price: ".price | number";
        rank: "@data-rank | int";
        id: "a@href | re:/p/(\\d+) | int";
        ld: "script | json";
        tag: "a | re:#(\\w+) | lower";
        "n[]": "td | number";
      }>
    >().toEqualTypeOf<{
      price: number | null;
      rank: number | null;
      id: number | null;
      ld: ExtractedValue;
      tag: string | null;
      n: (number | null)[];
    }>();
  });

  it("makes a list with sub-fields an array of objects, to any depth", () => {
    type Data = SelectData<{
      title: "h1";
      "books[]": "article";
      "books[].title": "h3 a@title";
      "books[].price": ".price | number";
      "books[].tags[]": "li";
      "books[].authors[]": ".author";
      "books[].authors[].name": "b";
    }>;
    expectTypeOf<Data>().toEqualTypeOf<{
      title: string | null;
      books: { title: string | null; price: number | null; tags: string[]; authors: { name: string | null }[] }[];
    }>();
  });

  it("puts each's objects in items", () => {
    expectTypeOf<TrawlData<{ title: "h3"; price: ".p | number" }, "article">>().toEqualTypeOf<{
      items: { title: string | null; price: number | null }[];
    }>();
    expectTypeOf<TrawlData<{ title: "h3" }>>().toEqualTypeOf<{ title: string | null }>();
  });

  it("falls back to any value for a select that is not a literal", () => {
    expectTypeOf<SelectData<Record<string, string>>>().toEqualTypeOf<Record<string, ExtractedValue>>();
  });

  it("gives never for an unknown filter, which is refused at run time", () => {
    expectTypeOf<SelectData<{ price: ".price | numbr" }>>().toEqualTypeOf<{ price: null }>();
  });

  it("is no wider than it says", () => {
    // @ts-expect-error a text field is not a number
    expectTypeOf<SelectData<{ h1: "h1" }>>().toEqualTypeOf<{ h1: number | null }>();
    // @ts-expect-error an array field is not a single value
    expectTypeOf<SelectData<{ "h[]": "h2" }>>().toEqualTypeOf<{ h: string | null }>();
  });

  it("type-checks: the assertions above hold", { timeout: 60_000 }, () => {
    expect(typeErrorsOf(import.meta.url)).toEqual([]);
  });
});
