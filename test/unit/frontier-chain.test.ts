/** A recipe's pagination (a link to a page of the same kind) is taken before the detail pages found so far. */
import { describe, expect, it } from "vitest";
import { type CrawlItem, type CrawlSettings, Frontier } from "../../src/crawl/frontier.js";
import { HashSet64 } from "../../src/urls/seen-set.js";

const settings: CrawlSettings = {
  maxDepth: Number.POSITIVE_INFINITY,
  scope: "origin",
  include: [],
  exclude: [],
  maxPages: Number.POSITIVE_INFINITY,
  followNofollow: false,
  links: "selected",
};

async function* none(): AsyncGenerator<never> {}

async function order(kindsDiffer: boolean): Promise<string[]> {
  const frontier = new Frontier(none(), settings, new HashSet64());
  const list: CrawlItem = {
    input: { ok: true, url: "https://shop.test/page-1" },
    depth: 0,
    parent: null,
    seed: "https://shop.test/page-1",
  };
  const link = (path: string, kind: number) => ({ url: `https://shop.test${path}`, kind, from: undefined, nofollow: false });
  frontier.offerSelected([link("/book-1", 1), link("/book-2", 1), link("/page-2", 0), link("/book-3", 1)], list, kindsDiffer);
  const urls: string[] = [];
  const items = frontier.items()[Symbol.asyncIterator]();
  for (let i = 0; i < 4; i++) {
    const next = await items.next();
    urls.push((next.value as CrawlItem).input.ok ? ((next.value as CrawlItem).input as { url: string }).url : "");
    frontier.finished();
  }
  await items.return?.(undefined);
  return urls.map((url) => new URL(url).pathname);
}

describe("Frontier.offerSelected", () => {
  it("takes a link to the page's own kind first when kinds differ (a recipe's pagination)", async () => {
    expect(await order(true)).toEqual(["/page-2", "/book-1", "/book-2", "/book-3"]);
  });
  it("keeps the order found otherwise", async () => {
    expect(await order(false)).toEqual(["/book-1", "/book-2", "/page-2", "/book-3"]);
  });
});
