/** --sitemap (SPEC §6): urlset and sitemapindex, nested, gzipped, from a URL or a file. */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { recordFor, sortedPaths } from "../helpers/records.js";
import { type HttpTestServer, httpServer, page } from "../helpers/servers.js";

let server: HttpTestServer;
let folder: string;

const urlset = (locs: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${locs
    .map((loc) => `<url><loc>${loc}</loc><lastmod>2026-01-01</lastmod></url>`)
    .join("")}</urlset>`;
const index = (locs: string[]) =>
  `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${locs
    .map((loc) => `<sitemap><loc>${loc}</loc></sitemap>`)
    .join("")}</sitemapindex>`;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "trawl-sitemap-"));
  server = await httpServer((req, res) => {
    const base = server.url;
    const url = req.url ?? "/";
    if (url === "/sitemap.xml") {
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(urlset([`${base}/a`, `${base}/b?x=1&amp;y=2`]));
    } else if (url === "/index.xml") {
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(index([`${base}/nested-index.xml`, `${base}/part.xml.gz`, `${base}/missing.xml`]));
    } else if (url === "/hostile-index.xml") {
      // An index naming a local file and a relative path: neither may be read from this machine.
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(index(["/etc/hostname", "nope.xml", `${base}/sitemap.xml`]));
    } else if (url === "/nested-index.xml") {
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(index([`${base}/sitemap.xml`]));
    } else if (url === "/part.xml.gz") {
      // A gzipped file served as such (not as Content-Encoding): trawl gunzips it itself.
      res.writeHead(200, { "content-type": "application/gzip" });
      res.end(gzipSync(urlset([`${base}/c`])));
    } else if (url.startsWith("/missing")) {
      res.writeHead(404);
      res.end();
    } else {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(page(`page ${url}`));
    }
  });
});
afterAll(async () => {
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

describe("--sitemap", () => {
  it("reads a urlset from a URL (entities decoded)", async () => {
    const result = await runCli(["--sitemap", `${server.url}/sitemap.xml`, "-q"]);
    expect(result.code).toBe(0);
    expect(sortedPaths(result.records)).toEqual(["/a", "/b?x=1&y=2"]);
  });

  it("follows nested sitemap indexes and gzipped parts; a sitemap that fails gets a record of its own", async () => {
    const result = await runCli(["--sitemap", `${server.url}/index.xml`, "-q"]);
    expect(sortedPaths(result.records)).toEqual(["/a", "/b?x=1&y=2", "/c", "/missing.xml"]);
    expect(recordFor(result, `${server.url}/missing.xml`).error?.code).toBe("EHTTP");
    expect(result.code).toBe(1);
  });

  it("reads a local file, gzipped or not, beside other URLs", async () => {
    const plain = path.join(folder, "sitemap.xml");
    const gzipped = path.join(folder, "sitemap.xml.gz");
    await writeFile(plain, urlset([`${server.url}/file-a`]));
    await writeFile(gzipped, gzipSync(urlset([`${server.url}/file-b`])));
    const result = await runCli(["--sitemap", plain, "--sitemap", gzipped, `${server.url}/arg`, "-q"]);
    expect(result.code).toBe(0);
    expect(sortedPaths(result.records)).toEqual(["/arg", "/file-a", "/file-b"]);
  });

  it("never reads a local file named by a remote index: such entries become EINVALIDURL records", async () => {
    const result = await runCli(["--sitemap", `${server.url}/hostile-index.xml`, "-q"]);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.code).toBe(1);
    const bad = result.records.filter((r) => r.error?.code === "EINVALIDURL").map((r) => r.url);
    expect(bad.toSorted()).toEqual(["/etc/hostname", "nope.xml"]);
    expect(result.records.filter((r) => r.ok)).toHaveLength(2);
  });

  it("resumes without duplicating sitemap pages", async () => {
    const out = path.join(folder, "resume.ndjson");
    await runCli(["--sitemap", `${server.url}/sitemap.xml`, "-o", out, "-q"]);
    const again = await runCli(["--sitemap", `${server.url}/sitemap.xml`, "-o", out, "--resume", "-q"]);
    expect(again.code).toBe(0);
    const lines = (await readFile(out, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(2);
  });

  it("is a usage error when the sitemap file cannot be read", async () => {
    const result = await runCli(["--sitemap", path.join(folder, "nope.xml")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^trawl: --sitemap .*nope\.xml: cannot read it/);
  });
});
