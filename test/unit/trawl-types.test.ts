/** Issue 11, library: trawl() yields records whose data is typed by the select literal given. */
import { describe, expect, expectTypeOf, it } from "vitest";
import { typeErrorsOf } from "../helpers/type-check.js";
import type { ExtractedValue, TrawlRecord } from "../../src/index.js";
import type { trawl } from "../../src/trawl.js";

type Yielded<G> = G extends AsyncGenerator<infer R, unknown, unknown> ? R : never;
type DataOf<G> = Yielded<G> extends { data: infer D } ? D : never;

describe("trawl()'s record type", () => {
  it("types data by the select literal: text, arrays, numbers by filter, items", () => {
    type Records = ReturnType<
      typeof trawl<{ h1: "h1"; "links[]": "a@href"; price: ".price | number"; "books[]": "article"; "books[].title": "h3" }>
    >;
    expectTypeOf<DataOf<Records>>().toEqualTypeOf<{
      h1: string | null;
      links: string[];
      price: number | null;
      books: { title: string | null }[];
    }>();
    expectTypeOf<Yielded<Records>["status"]>().toEqualTypeOf<number | null>();
  });

  it("puts each's objects in items", () => {
    type Records = ReturnType<typeof trawl<{ title: "h3" }, "article">>;
    expectTypeOf<DataOf<Records>>().toEqualTypeOf<{ items: { title: string | null }[] }>();
  });

  it("a select typed as a plain record gives plain values", () => {
    type Records = ReturnType<typeof trawl<Record<string, string>>>;
    expectTypeOf<DataOf<Records>>().toEqualTypeOf<Record<string, ExtractedValue>>();
    expectTypeOf<Yielded<Records>>().toMatchTypeOf<Omit<TrawlRecord, "data">>();
  });

  it("type-checks: the assertions above hold", { timeout: 60_000 }, () => {
    expect(typeErrorsOf(import.meta.url)).toEqual([]);
  });
});
