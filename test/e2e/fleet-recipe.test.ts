/**
 * SPEC §11 with §6: a recipe crawled by two workers through one Redis: every list page and every
 * product once in the export, each value right, kinds and carried items intact across workers.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkBookshopRecords, describeCheck } from "../../fixtures/bookshop/check-records.mjs";
import { recipeFor, type ServedBookshop, serveBookshop } from "../../fixtures/bookshop/index.mjs";
import { collect, runCli, spawnCli } from "../helpers/cli.js";
import { type RedisTestServer, startRedisServer } from "../helpers/redis-server.js";

let redis: RedisTestServer;
let shop: ServedBookshop;
let dir: string;
beforeAll(async () => {
  redis = await startRedisServer();
  shop = await serveBookshop({ products: 60, perPage: 10, latencyMs: 5 });
  dir = mkdtempSync(path.join(tmpdir(), "trawl-fleet-recipe-"));
});
afterAll(async () => {
  await shop.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("a recipe over a shared frontier", () => {
  it("two workers: the export holds the shop exactly, no page in both workers' files", async () => {
    const recipe = path.join(dir, "recipe.json");
    writeFileSync(recipe, JSON.stringify(recipeFor(shop.origin)));
    const fleet = ["--frontier", redis.url, "--job", "shop", "--recipe", recipe, "-c", "4", "-q"];
    const workers = ["a", "b"].map((name) => collect(spawnCli([...fleet, "-o", path.join(dir, `${name}.ndjson`)]), 60_000));
    const results = await Promise.all(workers);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const exported = path.join(dir, "export.ndjson");
    const exporting = await runCli(["--frontier", redis.url, "--job", "shop", "--export", exported]);
    expect(exporting.code, exporting.stderr).toBe(0);
    const check = await checkBookshopRecords(exported, { truth: shop.truth, origin: shop.origin });
    expect(check.exact, describeCheck(check)).toBe(true);
    const urls = (name: string) =>
      readFileSync(path.join(dir, `${name}.ndjson`), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { url: string }).url);
    const [a, b] = [urls("a"), urls("b")];
    expect(a.filter((url) => b.includes(url))).toEqual([]);
    expect(a.length + b.length).toBe(shop.truth.listPages + 60);
  }, 90_000);
});
