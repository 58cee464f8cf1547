// W4's floor: the bookshop crawl written by hand with undici + cheerio, as a user would without trawl, run
// as a child process of its own so the OS reports its RSS and CPU. It does recipe.json's job: list pages
// from the start URL, following `li.next a` (list) and `article.product_pod h3 a` (book); on list pages the
// rows as items; on book pages four fields plus the row that linked there ("carry"). One cheerio.load() per
// page (the default import: parse5), as the W1s cheerio floor; a seen-set and p-limit for the queue.
//
//   node floor-bookshop.mjs --start URL [-c N]
//
// Writes one NDJSON record per page on stdout: {url, status, ok, kind, data[, from][, error]}, the shape
// fixtures/bookshop/check-records.mjs checks.
import { parseArgs } from "node:util";
import * as cheerio from "cheerio";
import pLimit from "p-limit";
import { request } from "undici";

const { values } = parseArgs({
  options: {
    start: { type: "string" },
    concurrency: { type: "string", short: "c", default: "64" },
  },
});
if (!values.start) {
  process.stderr.write("floor-bookshop: --start URL is required\n");
  process.exit(2);
}

// recipe.json's filters, by hand: `| number` (the first number, thousands separators dropped), `| int`.
const collapse = (text) => text.replace(/\s+/g, " ").trim();
function number(text) {
  const match = /-?\d[\d,]*(?:\.\d+)?/.exec(text ?? "");
  return match ? Number(match[0].replaceAll(",", "")) : null;
}
const int = (text) => {
  const value = number(text);
  return value === null ? null : Math.trunc(value);
};
const textOf = (selection) => (selection.length ? collapse(selection.first().text()) : null);
function absolute(href, base) {
  if (href === undefined) return null;
  try {
    const url = new URL(href.trim(), base);
    url.hash = "";
    return url.href;
  } catch {
    return null;
  }
}

/** A list page: its rows as items; queues the next page and each row's book with the row to carry. */
function listPage($, url) {
  const books = $("article.product_pod")
    .toArray()
    .map((element) => {
      const row = $(element);
      const link = row.find("h3 a").first();
      const ratingClass = row.find(".star-rating").first().attr("class");
      const rating = ratingClass === undefined ? null : (/star-rating (\w+)/.exec(ratingClass)?.[1] ?? null);
      const item = {
        title: link.attr("title") ?? null,
        url: absolute(link.attr("href"), url),
        price: number(textOf(row.find(".price_color"))),
        rating,
      };
      if (item.url !== null) enqueue(item.url, "book", item);
      return item;
    });
  for (const element of $("li.next a").toArray()) {
    const next = absolute($(element).attr("href"), url);
    if (next !== null) enqueue(next, "list");
  }
  return { books };
}

function bookPage($) {
  return {
    title: textOf($("h1")),
    price: number(textOf($(".product_main .price_color"))),
    upc: textOf($("th:contains(UPC) + td")),
    availability: int(textOf($(".product_main .availability"))),
  };
}

async function visit(url, kind, from) {
  const record = { url, status: null, ok: false, kind, data: {} };
  if (kind === "book") record.from = from;
  try {
    const { statusCode, body } = await request(url);
    const html = await body.text();
    const $ = cheerio.load(html);
    record.status = statusCode;
    record.ok = statusCode >= 200 && statusCode < 300;
    record.data = kind === "list" ? listPage($, url) : bookPage($);
  } catch (error) {
    record.error = { code: error.code ?? "ERROR", message: error.message };
  }
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

const limit = pLimit(Number(values.concurrency));
const seen = new Set();
let pending = 0;
let finish;
const finished = new Promise((resolve) => (finish = resolve));

/** Queues a page once (the same dedupe a crawler does); the run ends when nothing is pending. */
function enqueue(url, kind, from = null) {
  if (seen.has(url)) return;
  seen.add(url);
  pending++;
  limit(() => visit(url, kind, from)).finally(() => {
    if (--pending === 0) finish();
  });
}

enqueue(absolute(values.start, undefined), "list");
await finished;
// undici's keep-alive sockets would hold the process open for their idle timeout.
process.exit(0);
