/**
 * Issue 11, SPEC §6: `--follow` follows only the links its selectors pick; `--recipe` crawls a site
 * with several kinds of page, records carry `kind` and, with `carry`, the referring item in `from`.
 * Against the bookshop fixture (fixtures/bookshop/): its ground truth checks every value.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkBookshopRecords, describeCheck } from "../../fixtures/bookshop/check-records.mjs";
import { recipeFor, type ServedBookshop, serveBookshop } from "../../fixtures/bookshop/index.mjs";
import { trawl } from "../../dist/index.js";
import { runCli } from "../helpers/cli.js";
import { parseCsv } from "../helpers/csv.js";
import { toArray } from "../helpers/iterables.js";

let shop: ServedBookshop;
let dir: string;
let recipeFile: string;
beforeAll(async () => {
  shop = await serveBookshop({ products: 45, perPage: 20 });
  dir = mkdtempSync(join(tmpdir(), "trawl-recipe-"));
  recipeFile = join(dir, "recipe.json");
  writeFileSync(recipeFile, JSON.stringify(recipeFor(shop.origin)));
});
afterAll(async () => {
  await shop.close();
  rmSync(dir, { recursive: true, force: true });
});

const writeRecipe = (name: string, recipe: unknown): string => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(recipe));
  return file;
};

describe("--recipe", () => {
  it("crawls the shop: every list page and every product once, each value right, carry in from", async () => {
    const out = join(dir, "shop.ndjson");
    const result = await runCli(["--recipe", recipeFile, "-q", "-o", out]);
    expect(result.code, result.stderr).toBe(0);
    const check = await checkBookshopRecords(out, { truth: shop.truth, origin: shop.origin });
    expect(check.exact, describeCheck(check)).toBe(true);
    const records = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(records.filter((record) => record.kind === "list")).toHaveLength(shop.truth.listPages);
    expect(records.filter((record) => record.kind === "book")).toHaveLength(45);
    const book = records.find((record) => record.kind === "book");
    expect(book.from).toEqual(shop.truth.listItem(Number(/_(\d+)\/index\.html$/.exec(book.url)?.[1]), shop.origin));
    // The list kind does not carry: its records have no from.
    expect(records.find((record) => record.kind === "list")).not.toHaveProperty("from");
  });

  it("a followed link outside every item carries null", async () => {
    const carry = shop.truth.awkward(shop.origin);
    const recipe = recipeFor(shop.origin) as unknown as { pages: { list: { follow: Record<string, unknown> } } };
    // The promo link sits outside every row: followed by a selector of its own.
    recipe.pages.list.follow = { book: ["article.product_pod h3 a", "aside.promo h3 a"] };
    const file = writeRecipe("carry.json", { ...recipe, start: [`${shop.origin}${carry.paths.carry}`] });
    const result = await runCli(["--recipe", file, "-q", "--follow-nofollow"]);
    expect(result.code, result.stderr).toBe(0);
    const unlisted = result.records.find((record) => record.url === carry.carry.unlisted.url);
    expect(unlisted?.kind).toBe("book");
    expect(unlisted?.from).toBeNull();
    const listed = result.records.filter((record) => record.kind === "book" && record.url !== carry.carry.unlisted.url);
    expect(listed.length).toBe(carry.carry.items.length);
    for (const record of listed) expect(record.from).toEqual(carry.carry.items.find((item) => item.url === record.url));
  });

  it("CSV gets the kind column", async () => {
    const out = join(dir, "shop.csv");
    const result = await runCli(["--recipe", recipeFile, "-q", "-o", out]);
    expect(result.code).toBe(0);
    const [header, ...rows] = parseCsv(readFileSync(out, "utf8"));
    expect(header?.slice(10, 13)).toEqual(["depth", "parent", "kind"]);
    expect(new Set(rows.map((row) => row[12]))).toEqual(new Set(["list", "book"]));
  });

  it("URLs given beside a recipe are pages of its first kind", async () => {
    const { start: _start, ...noStart } = recipeFor(shop.origin) as { start: string[] };
    const result = await runCli(["--recipe", writeRecipe("no-start.json", noStart), "-q", `${shop.origin}/catalogue/page-2.html`]);
    expect(result.code, result.stderr).toBe(0);
    const given = result.records.find((record) => record.url === `${shop.origin}/catalogue/page-2.html`);
    expect(given).toMatchObject({ kind: "list", depth: 0 });
    // Its links were followed as the list kind says: the next list page, and the books of both (45 - 20).
    expect(result.records.filter((record) => record.kind === "list")).toHaveLength(shop.truth.listPages - 1);
    expect(result.records.filter((record) => record.kind === "book")).toHaveLength(25);
  });

  it("is a library option too: the recipe's start is fetched before the caller's URLs", async () => {
    const records = await toArray(trawl([], { recipe: recipeFor(shop.origin), concurrency: 8 }));
    expect(records).toHaveLength(shop.truth.listPages + 45);
    expect(records.every((record) => record.ok && typeof record.kind === "string" && record.depth !== undefined)).toBe(true);
  });

  it.each([
    ["an unknown key", { ...recipeFor("http://x"), pages: { list: { selct: {} } } }, /^trawl: --recipe pages\.list: unknown key "selct"/],
    [
      "a follow to an unknown kind",
      { pages: { list: { follow: { boook: "a" } } } },
      /^trawl: --recipe pages\.list\.follow\.boook: unknown kind "boook"/,
    ],
    [
      "a bad selector",
      { pages: { list: { select: { t: "h1[" } } } },
      /^trawl: --recipe pages\.list\.select\.t: invalid selector "h1\[" at character 4/,
    ],
    ["an unknown filter", { pages: { book: { select: { p: ".price | money" } } } }, /^trawl: --recipe pages\.book\.select\.p: .*money/],
    ["a top-level key it does not know", { pages: { a: {} }, strat: [] }, /^trawl: --recipe: unknown key "strat"/],
  ])("%s is exit 2 naming it, before anything is fetched", async (_name, recipe, message) => {
    const before = shop.stats.requests;
    const result = await runCli(["--recipe", writeRecipe("bad.json", recipe), `${shop.origin}/catalogue/page-1.html`]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(shop.stats.requests).toBe(before);
  });

  it("a recipe file that is not JSON, and -s beside a recipe, are usage errors", async () => {
    const notJson = join(dir, "not.json");
    writeFileSync(notJson, "{ pages:");
    expect((await runCli(["--recipe", notJson])).stderr).toMatch(/^trawl: --recipe .*not\.json: not JSON/);
    const both = await runCli(["--recipe", recipeFile, "-s", "h=h1"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^trawl: --select cannot be used with recipe/);
  });

  it("a recipe with no start and an empty input has no URL at all: a usage error (SPEC §1)", async () => {
    const startless = join(dir, "startless.json");
    const { start: _start, ...rest } = recipeFor(shop.origin);
    writeFileSync(startless, JSON.stringify(rest));
    const result = await runCli(["--recipe", startless], { input: "" });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^trawl: no URLs in the input/);
  });
});

describe("--follow", () => {
  it("follows only the links picked: the pagination chain, each page once, depth one more each", async () => {
    const result = await runCli(["--follow", "li.next a", "-q", "-s", "first=article h3 a@title", `${shop.origin}/catalogue/page-1.html`]);
    expect(result.code, result.stderr).toBe(0);
    const urls = result.records.map((record) => [record.url.replace(shop.origin, ""), record.depth]);
    expect(urls.toSorted()).toEqual(
      Array.from({ length: shop.truth.listPages }, (_, i) => [shop.truth.listPage(i + 1).path, i]).toSorted(),
    );
  });

  it("has no default depth limit: the books of the third list page are at depth 3", async () => {
    const follow = ["--follow", "li.next a", "--follow", "article.product_pod h3 a"];
    const result = await runCli([...follow, "-q", `${shop.origin}/catalogue/page-1.html`]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.records).toHaveLength(shop.truth.listPages + 45);
    // --crawl's default depth (2) would have stopped before them.
    expect(result.records.filter((record) => record.depth === 3)).toHaveLength(45 - 2 * 20);
  });

  it("a next link that loops back ends: each page once", async () => {
    const loop = shop.truth.awkward(shop.origin).paths.loop;
    const result = await runCli(["--follow", "li.next a", "-q", `${shop.origin}${loop[0]}`]);
    expect(result.code).toBe(0);
    expect(result.records.map((record) => record.url.replace(shop.origin, "")).toSorted()).toEqual([...loop].toSorted());
  });

  it("obeys --depth and the scope, and takes @attr", async () => {
    const one = await runCli(["--follow", "li.next a", "--depth", "1", "-q", `${shop.origin}/catalogue/page-1.html`]);
    expect(one.records).toHaveLength(2);
    const byData = await runCli(["--follow", "article h3 a@href", "--max-pages", "5", "-q", `${shop.origin}/catalogue/page-1.html`]);
    expect(byData.records).toHaveLength(5);
    expect(byData.records.slice(1).every((record) => record.url.includes("/catalogue/") && record.url.endsWith("/index.html"))).toBe(true);
  });
});

describe("--recipe with --cache", () => {
  it("a repeat run is answered by 304s: every record cached, the same data, kinds and carried items", async () => {
    const cache = join(dir, "recipe.cache");
    const first = join(dir, "first.ndjson");
    const second = join(dir, "second.ndjson");
    expect((await runCli(["--recipe", recipeFile, "-q", "--cache", cache, "-o", first])).code).toBe(0);
    const before = shop.stats.notModified;
    const again = await runCli(["--recipe", recipeFile, "-q", "--cache", cache, "-o", second]);
    expect(again.code, again.stderr).toBe(0);
    const read = (file: string) =>
      readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
    const records = read(second);
    expect(records).toHaveLength(shop.truth.listPages + 45);
    expect(records.every((record) => record.cached === true)).toBe(true);
    expect(shop.stats.notModified - before).toBe(records.length);
    const check = await checkBookshopRecords(second, { truth: shop.truth, origin: shop.origin });
    expect(check.exact, describeCheck(check)).toBe(true);
    const strip = ({ ms: _ms, attempts: _attempts, cached: _cached, ...rest }: Record<string, unknown>) => rest;
    const byUrl = new Map(read(first).map((record) => [record.url, strip(record)]));
    for (const record of records) expect(strip(record)).toEqual(byUrl.get(record.url));
  });
});
