/**
 * `npm start` (fixtures/demo.mjs) end to end: it serves fixtures/site on 127.0.0.1 and runs the real
 * CLI over every HTML page; plus the static server (fixtures/serve-site.mjs) on its own, because the
 * other end-to-end tests lean on it.
 */
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
// @ts-expect-error -- plain JavaScript fixture without type declarations
import { serveSite as serveSiteJs } from "../../fixtures/serve-site.mjs";
import { type CliResult, collect, parseRecords, repoRoot, spawnNode } from "../helpers/cli.js";
import { recordsByPath } from "../helpers/records.js";

const siteDir = path.join(repoRoot, "fixtures", "site");
const demoPath = path.join(repoRoot, "fixtures", "demo.mjs");

const CP1251_PAGE = "/blog/russian-classics.html";
const CP1251_TITLE = "Русская классика: с чего начать | Marginalia Books";
const CP1251_H1 = "Русская классика: с чего начать";

interface Site {
  url: string;
  port: number;
  close(): Promise<void>;
}
const serveSite = serveSiteJs as (options: { root: string; host?: string; port?: number }) => Promise<Site>;

/** URL paths of every .html file of the site; index.html stands for its directory. */
function htmlPaths(dir = siteDir, prefix = "/"): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...htmlPaths(path.join(dir, entry.name), `${prefix}${entry.name}/`));
    else if (entry.name.endsWith(".html")) out.push(entry.name === "index.html" ? prefix : `${prefix}${entry.name}`);
  }
  return out.sort();
}

/** Runs `node …args` (the demo script) from `cwd` in the CLI's CI-like environment, killed after `timeoutMs`. */
function runDemo(args: string[], cwd: string, timeoutMs = 50_000): Promise<CliResult> {
  return collect(spawnNode(args, { cwd }), timeoutMs);
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request with the path sent exactly as given (node:http does not normalise it). */
function rawRequest(
  port: number,
  requestPath: string,
  options: { method?: string; headers?: http.OutgoingHttpHeaders; agent?: http.Agent } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path: requestPath,
        method: options.method ?? "GET",
        headers: options.headers ?? {},
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("npm start (fixtures/demo.mjs)", () => {
  const pages = htmlPaths();

  it("has the pages the demo is meant to show", () => {
    expect(pages.length).toBeGreaterThanOrEqual(8);
    expect(pages).toContain("/");
    expect(pages).toContain(CP1251_PAGE);
  });

  // The demo serves the site and crawls all of it in a child process: up to runDemo's own 50 s limit.
  it("crawls every HTML page of the demo site from its home page: one ok record each, titles decoded", { timeout: 60_000 }, async () => {
    const result = await runDemo(["fixtures/demo.mjs"], repoRoot);
    expect(result.stderr).toMatch(
      new RegExp(`^trawl demo: serving fixtures/site on http://127\\.0\\.0\\.1:\\d+/, crawling its ${pages.length} pages`),
    );
    expect(result.code, result.stderr).toBe(0);

    // Part two scrapes the bookshop with its recipe: its records are the ones with a kind.
    const everything = parseRecords(result.stdout);
    const shop = everything.filter((record) => "kind" in record);
    expect(shop.filter((record) => record.kind === "list")).toHaveLength(3);
    const books = shop.filter((record) => record.kind === "book");
    expect(books).toHaveLength(60);
    for (const book of books) {
      expect(book, book.url).toMatchObject({ ok: true, data: { title: expect.any(String), price: expect.any(Number) } });
      expect((book.from as { url: string }).url).toBe(book.url);
    }
    expect(result.stderr).toMatch(
      /trawl demo: serving a bookshop on http:\/\/127\.0\.0\.1:\d+, scraping it with fixtures\/bookshop\/recipe\.json/,
    );

    // The crawl also meets data.json (linked from the product list): a record, but not HTML.
    const all = everything.filter((record) => !("kind" in record));
    const json = all.filter((record) => new URL(record.url).pathname === "/data.json");
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ ok: true, title: null, data: {} });
    const records = all.filter((record) => new URL(record.url).pathname !== "/data.json");
    expect(records).toHaveLength(pages.length);
    const byPath = recordsByPath(records);
    expect(byPath.get("/")).toMatchObject({ depth: 0, parent: null });
    expect([...byPath.keys()].sort()).toEqual(pages);
    const origins = new Set(records.map((record) => new URL(record.url).origin));
    expect(origins.size).toBe(1);

    for (const record of records) {
      expect(record, record.url).toMatchObject({ ok: true, status: 200, error: null });
      const place = record as unknown as { depth: number; parent: string | null };
      if (place.depth > 0)
        expect(
          all.map((r) => r.url),
          record.url,
        ).toContain(place.parent);
      expect(typeof record.title, record.url).toBe("string");
      expect((record.title ?? "").length, record.url).toBeGreaterThan(0);
      expect(Object.keys(record.data).sort(), record.url).toEqual(["description", "h1", "links"]);
      expect(Array.isArray(record.data.links), record.url).toBe(true);
    }

    // The windows-1251 page is served as bare text/html, so only its <meta charset> can decode it.
    const cp1251 = byPath.get(CP1251_PAGE);
    expect(cp1251?.contentType).toBe("text/html");
    expect(cp1251?.title).toBe(CP1251_TITLE);
    expect(cp1251?.data.h1).toBe(CP1251_H1);

    // Whitespace in <title> is collapsed; UTF-8 pages decode too.
    expect(byPath.get("/about.html")?.title).toBe("About us | Marginalia Books");
    expect(byPath.get("/")?.title).toBe("Marginalia Books — Independent bookshop & café");

    // <base href="/"> on the Piranesi page: its relative links resolve against the site root.
    const origin = [...origins][0];
    expect(byPath.get("/products/piranesi.html")?.data.links).toContain(`${origin}/blog/winter-reading-list.html`);
    expect(byPath.get("/products/piranesi.html")?.data.links).not.toContain(`${origin}/products/blog/winter-reading-list.html`);
  });

  // The same crawl as above, from another folder.
  it("works from any working directory", { timeout: 60_000 }, async () => {
    const result = await runDemo([demoPath], tmpdir());
    expect(result.code, result.stderr).toBe(0);
    // The site's pages and data.json, then the bookshop's 3 list pages and 60 books.
    expect(parseRecords(result.stdout)).toHaveLength(pages.length + 1 + 63);
  });
});

describe("fixtures/serve-site.mjs", () => {
  async function withSite<T>(fn: (site: Site) => Promise<T>): Promise<T> {
    const site = await serveSite({ root: siteDir });
    try {
      return await fn(site);
    } finally {
      await site.close();
    }
  }

  it("serves pages, directories and content types", async () => {
    await withSite(async (site) => {
      expect(site.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

      const index = await rawRequest(site.port, "/");
      expect(index.status).toBe(200);
      expect(index.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(index.body.equals(readFileSync(path.join(siteDir, "index.html")))).toBe(true);

      const noSlash = await rawRequest(site.port, "/blog?x=1");
      expect(noSlash.status).toBe(301);
      expect(noSlash.headers.location).toBe("/blog/?x=1");
      expect((await rawRequest(site.port, "/blog/")).status).toBe(200);

      const cp1251 = await rawRequest(site.port, CP1251_PAGE);
      expect(cp1251.status).toBe(200);
      expect(cp1251.headers["content-type"]).toBe("text/html");
      expect(new TextDecoder("windows-1251").decode(cp1251.body)).toContain(`<title>${CP1251_TITLE}</title>`);

      expect((await rawRequest(site.port, "/styles.css")).headers["content-type"]).toBe("text/css; charset=utf-8");
      expect((await rawRequest(site.port, "/data.json")).headers["content-type"]).toBe("application/json; charset=utf-8");
      expect((await rawRequest(site.port, "/images/logo.svg")).headers["content-type"]).toBe("image/svg+xml");

      const missing = await rawRequest(site.port, "/no-such-page.html");
      expect(missing.status).toBe(404);

      const post = await rawRequest(site.port, "/", { method: "POST" });
      expect(post.status).toBe(405);
    });
  });

  it("gzips text when Accept-Encoding allows it, and only then", async () => {
    await withSite(async (site) => {
      const original = readFileSync(path.join(siteDir, "about.html"));
      const gz = await rawRequest(site.port, "/about.html", { headers: { "accept-encoding": "gzip, deflate, br" } });
      expect(gz.headers["content-encoding"]).toBe("gzip");
      expect(gunzipSync(gz.body).equals(original)).toBe(true);

      const plain = await rawRequest(site.port, "/about.html", { headers: { "accept-encoding": "gzip;q=0, br" } });
      expect(plain.headers["content-encoding"]).toBeUndefined();
      expect(plain.body.equals(original)).toBe(true);
    });
  });

  it("fills in its own origin in robots.txt and sitemap.xml", async () => {
    await withSite(async (site) => {
      const origin = site.url.slice(0, -1);
      const robots = (await rawRequest(site.port, "/robots.txt")).body.toString("utf8");
      expect(robots).toContain(`Sitemap: ${origin}/sitemap.xml`);
      const sitemap = (await rawRequest(site.port, "/sitemap.xml")).body.toString("utf8");
      const locs = [...sitemap.matchAll(/<loc>(.*?)<\/loc>/g)].map((m) => new URL(m[1] ?? "").pathname).sort();
      expect(locs).toEqual(htmlPaths());
    });
  });

  it.each([
    "/../package.json",
    "/%2e%2e/package.json",
    "/%2E%2E/%2E%2E/package.json",
    "/..%2fpackage.json",
    "/..%2f..%2fpackage.json",
    "/blog/..%2f..%2f..%2fpackage.json",
    "/..%5c..%5cpackage.json",
    "/../../package.json",
  ])("refuses to leave its root: %s", async (path) => {
    await withSite(async (site) => {
      const res = await rawRequest(site.port, path);
      expect([403, 404]).toContain(res.status);
      expect(res.body.toString("utf8")).not.toContain('"name": "trawl"');
    });
  });

  it("close() resolves promptly even with an idle keep-alive connection open", async () => {
    const site = await serveSite({ root: siteDir });
    const agent = new http.Agent({ keepAlive: true });
    try {
      const first = await rawRequest(site.port, "/", { agent });
      expect(first.headers.connection).toBe("keep-alive");
      await rawRequest(site.port, "/about.html", { agent });
      const started = performance.now();
      await site.close();
      expect(performance.now() - started).toBeLessThan(1_000);
      await expect(rawRequest(site.port, "/")).rejects.toThrow();
    } finally {
      agent.destroy();
    }
  });
});
