// W4: the bookshop (fixtures/bookshop) crawled with its recipe, by the hand-written undici + cheerio floor
// (floor-bookshop.mjs) and by `trawl --recipe`, each checked against the shop's ground truth afterwards:
// every list page and every product once, with the right values and the carried row.
import { rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { checkBookshopRecords } from "../../fixtures/bookshop/check-records.mjs";
import { createBookshop, recipeFor } from "../../fixtures/bookshop/index.mjs";
import { running, tempPath } from "./measure.mjs";
import { startBookshopServer } from "./server.mjs";

const HERE = import.meta.dirname;
const TRAWL = join(resolve(HERE, "../.."), "bin/trawl.js");
const FLOOR = join(HERE, "floor-bookshop.mjs");

/** The shop of W4 at `products` products: 20 a page (500 list pages at 10,000), 50 categories. */
export const w4Shape = (products) => ({ products, perPage: 20, categories: 50, seed: 1 });

/**
 * Runs both sides on a shop of `products` products; `measure` is run.mjs's (one measured child, one row).
 * Returns {shape, pages, concurrency, floor: {row, check}, trawl: {row, check}}; rows are also `add`ed.
 */
export async function runW4({ products, concurrency, measure, add }) {
  const shape = w4Shape(products);
  // The same shop in this process: its truth costs nothing until asked.
  const { truth } = createBookshop(shape);
  const pages = truth.listPages + truth.products;
  const server = await startBookshopServer(shape);
  // So that run.mjs's cleanup kills it on Ctrl-C, as it kills the measured children.
  for (const child of server.children) running.add(child);
  try {
    const startUrl = `${server.origin}/catalogue/page-1.html`;
    const response = await fetch(startUrl);
    const body = await response.text();
    if (!response.ok || !body.includes('<article class="product_pod">')) {
      throw new Error(`bookshop server: ${startUrl} answered ${response.status}, not a list page`);
    }
    // recipe.json names a fixed port for people; this run's shop is on a free one.
    const recipeFile = tempPath("W4-recipe.json");
    writeFileSync(recipeFile, JSON.stringify(recipeFor(server.origin)));
    // Slower than 20 pages/s (a tenth of the floor's pace on 2 busy cores) is a hang.
    const timeoutMs = Math.max(120, pages / 20) * 1000;
    const runs = {};
    for (const [side, runner, args] of [
      ["floor", "cheerio floor", [FLOOR, "--start", startUrl, "-c", String(concurrency)]],
      ["trawl", "trawl recipe", [TRAWL, "--recipe", recipeFile, "-c", String(concurrency), "-q"]],
    ]) {
      const output = tempPath(`W4-${side}.ndjson`);
      const row = await measure({ workload: "W4", runner, urls: pages, args, stdoutFile: output, timeoutMs, server });
      const check = await checkBookshopRecords(output, { truth, origin: server.origin });
      rmSync(output, { force: true });
      // The row counts what was fetched (the records), as C1's does.
      row.urls = check.records;
      row.ok = check.ok;
      row.records = check.records;
      row.urlsPerSecond = check.records / row.wallSeconds;
      add(row);
      runs[side] = { row, check };
    }
    return { shape, pages, concurrency, ...runs };
  } finally {
    await server.stop();
    for (const child of server.children) running.delete(child);
  }
}
