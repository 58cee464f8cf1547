/**
 * --cache (SPEC §10), request by request: what a repeat run sends, when a 304 re-emits the stored
 * record, and what is never kept. A real node:http server that honours (or abuses) validators.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCli, type TrawlRecord } from "../helpers/cli.js";
import { recordFor } from "../helpers/records.js";
import { type HttpTestServer, httpServer, page, redirect, requestsTo, sleep } from "../helpers/servers.js";

/** A page the server holds: its body and validators, changed by the tests between runs. */
interface Resource {
  body: string;
  status?: number;
  etag?: string;
  lastModified?: string;
  headers?: Record<string, string>;
  /** Answer every request with a 304 carrying these headers, asked or not (a broken server). */
  always304?: Record<string, string>;
  /** Answer a request with If-None-Match by a 304 carrying these headers, whatever it names. */
  conditional304?: Record<string, string>;
  /** Send the headers, then never the body. */
  stall?: boolean;
  /** Redirect (302) there instead. */
  redirectTo?: string;
}

const resources = new Map<string, Resource>();
/** Full bodies sent and 304s sent, per path. */
const bodies = new Map<string, number>();
const notModified = new Map<string, number>();
let server: HttpTestServer;
let folder: string;
let files = 0;

const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

/** RFC 9110 §13.1.2 and §13.1.3: weak comparison for If-None-Match, else If-Modified-Since. */
function isNotModified(req: IncomingMessage, resource: Resource): boolean {
  if ((resource.status ?? 200) !== 200) return false;
  const ifNoneMatch = req.headers["if-none-match"];
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  if (ifNoneMatch !== undefined) {
    return resource.etag !== undefined && ifNoneMatch.split(",").map(opaque).includes(opaque(resource.etag));
  }
  const ifModifiedSince = req.headers["if-modified-since"];
  return (
    ifModifiedSince !== undefined && resource.lastModified !== undefined && Date.parse(ifModifiedSince) >= Date.parse(resource.lastModified)
  );
}

function validators(resource: Resource): Record<string, string> {
  return {
    ...(resource.etag === undefined ? {} : { etag: resource.etag }),
    ...(resource.lastModified === undefined ? {} : { "last-modified": resource.lastModified }),
    ...resource.headers,
  };
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? "/";
  if (url.startsWith("/moved/")) return redirect(res, url.replace("/moved/", "/target/"), 301);
  const resource = resources.get(url);
  if (!resource) {
    res.writeHead(404, { "content-type": "text/html" }).end(page("missing"));
    return;
  }
  if (resource.redirectTo !== undefined) return redirect(res, resource.redirectTo);
  const odd304 = resource.always304 ?? (req.headers["if-none-match"] === undefined ? undefined : resource.conditional304);
  if (odd304) {
    bump(notModified, url);
    res.writeHead(304, odd304).end();
    return;
  }
  if (isNotModified(req, resource)) {
    bump(notModified, url);
    res.writeHead(304, validators(resource)).end();
    return;
  }
  bump(bodies, url);
  const body = Buffer.from(resource.body);
  res.writeHead(resource.status ?? 200, {
    "content-type": "text/html; charset=utf-8",
    "content-length": body.length,
    ...validators(resource),
  });
  if (resource.stall) {
    res.write(body.subarray(0, 10));
    await sleep(5_000);
  }
  res.end(resource.stall ? body.subarray(10) : body);
}

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "trawl-cache-e2e-"));
  server = await httpServer(handle);
});
afterAll(async () => {
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

/** A new cache file in the test folder. */
const newCacheFile = () => path.join(folder, `cache-${++files}.bin`);

/** Puts a page on the server under `path` (with an h1 and h2 to select) and returns its URL. */
function serve(pathname: string, resource: Omit<Resource, "body"> & { title?: string }): string {
  const title = resource.title ?? `page ${pathname}`;
  resources.set(pathname, { ...resource, body: page(title, `<h1>${title} h1</h1><h2>${title} h2</h2>`) });
  return `${server.url}${pathname}`;
}

function run(cacheFile: string, urls: string[], more: string[] = []): Promise<CliResult> {
  return runCli(["-q", "--cache", cacheFile, "-s", "heading=h1", ...more, ...urls]);
}

/** A record without what changes from run to run (time, attempts, whether it came from the cache). */
function lasting(record: TrawlRecord): Record<string, unknown> {
  const { ms: _ms, attempts: _attempts, cached: _cached, ...rest } = record;
  return rest;
}

const ifNoneMatchOf = (pathname: string, index: number) => requestsTo(server, pathname)[index]?.headers["if-none-match"];
const ifModifiedSinceOf = (pathname: string, index: number) => requestsTo(server, pathname)[index]?.headers["if-modified-since"];

const LAST_MODIFIED = "Tue, 03 Jun 2025 10:00:00 GMT";

describe("--cache: a repeat run asks with the validators and re-emits the stored record on a 304", () => {
  for (const [name, resource, sent] of [
    ["ETag", { etag: '"e1"' }, { inm: '"e1"', ims: undefined }],
    ["Last-Modified", { lastModified: LAST_MODIFIED }, { inm: undefined, ims: LAST_MODIFIED }],
    ["ETag and Last-Modified", { etag: '"e2"', lastModified: LAST_MODIFIED }, { inm: '"e2"', ims: LAST_MODIFIED }],
    ["a weak ETag", { etag: 'W/"w1"' }, { inm: 'W/"w1"', ims: undefined }],
  ] as const) {
    it(`${name}: the second run sends it back, gets a 304 and no body, and emits the same record with "cached": true`, async () => {
      const pathname = `/validators/${name.replaceAll(" ", "-")}`;
      const url = serve(pathname, resource);
      const cacheFile = newCacheFile();
      const first = await run(cacheFile, [url]);
      expect(first.code, first.stderr).toBe(0);
      expect(first.records[0]?.cached).toBeUndefined();
      expect(ifNoneMatchOf(pathname, 0)).toBeUndefined();
      expect(ifModifiedSinceOf(pathname, 0)).toBeUndefined();

      const second = await run(cacheFile, [url]);
      expect(second.code, second.stderr).toBe(0);
      expect(ifNoneMatchOf(pathname, 1)).toBe(sent.inm);
      expect(ifModifiedSinceOf(pathname, 1)).toBe(sent.ims);
      expect(bodies.get(pathname)).toBe(1);
      expect(notModified.get(pathname)).toBe(1);
      const [before, after] = [first.records[0] as TrawlRecord, second.records[0] as TrawlRecord];
      expect(after.cached).toBe(true);
      expect(after.status).toBe(200);
      expect(after.attempts).toBe(1);
      expect(lasting(after)).toEqual(lasting(before));
      expect((after.data as { heading: string }).heading).toBe(`page ${pathname} h1`);
      // Keys in the record's order: "cached" just before "error".
      expect(Object.keys(after).slice(-2)).toEqual(["cached", "error"]);
    });
  }

  it("a page with neither validator is not kept: the next run asks plainly", async () => {
    const pathname = "/validators/none";
    const url = serve(pathname, {});
    const cacheFile = newCacheFile();
    await run(cacheFile, [url]);
    const second = await run(cacheFile, [url]);
    expect(ifNoneMatchOf(pathname, 1)).toBeUndefined();
    expect(ifModifiedSinceOf(pathname, 1)).toBeUndefined();
    expect(bodies.get(pathname)).toBe(2);
    expect(second.records[0]?.cached).toBeUndefined();
  });

  it("Cache-Control: no-store is never kept, though it has an ETag", async () => {
    const pathname = "/validators/no-store";
    const url = serve(pathname, { etag: '"ns"', headers: { "cache-control": "no-store" } });
    const cacheFile = newCacheFile();
    await run(cacheFile, [url]);
    const second = await run(cacheFile, [url]);
    expect(ifNoneMatchOf(pathname, 1)).toBeUndefined();
    expect(bodies.get(pathname)).toBe(2);
    expect(second.records[0]?.cached).toBeUndefined();
  });

  it("a page that changed between runs gives its new record, which the next run re-emits", async () => {
    const pathname = "/changing";
    const url = serve(pathname, { etag: '"v1"', title: "version one" });
    const cacheFile = newCacheFile();
    await run(cacheFile, [url]);
    serve(pathname, { etag: '"v2"', title: "version two" });
    const second = await run(cacheFile, [url]);
    expect(ifNoneMatchOf(pathname, 1)).toBe('"v1"');
    expect(second.records[0]?.cached).toBeUndefined();
    expect(second.records[0]?.title).toBe("version two");
    const third = await run(cacheFile, [url]);
    expect(ifNoneMatchOf(pathname, 2)).toBe('"v2"');
    expect(third.records[0]?.cached).toBe(true);
    expect(third.records[0]?.title).toBe("version two");
    expect(bodies.get(pathname)).toBe(2);
  });

  it("a changed selector (another fingerprint) means a plain request and a record of the new selectors", async () => {
    const pathname = "/fingerprint";
    const url = serve(pathname, { etag: '"f1"' });
    const cacheFile = newCacheFile();
    await runCli(["-q", "--cache", cacheFile, "-s", "heading=h1", url]);
    const changed = await runCli(["-q", "--cache", cacheFile, "-s", "heading=h2", url]);
    expect(ifNoneMatchOf(pathname, 1)).toBeUndefined();
    expect(changed.records[0]?.cached).toBeUndefined();
    expect(changed.records[0]?.data).toEqual({ heading: `page ${pathname} h2` });
    // The new record replaced the old one: the same selectors now hit.
    const again = await runCli(["-q", "--cache", cacheFile, "-s", "heading=h2", url]);
    expect(again.records[0]?.cached).toBe(true);
    expect(again.records[0]?.data).toEqual({ heading: `page ${pathname} h2` });
    expect(bodies.get(pathname)).toBe(2);
  });

  it("follows a redirect first and sends the validators only to the URL that gave the stored page", async () => {
    const target = "/target/r1";
    serve(target, { etag: '"r1"' });
    const url = `${server.url}/moved/r1`;
    const cacheFile = newCacheFile();
    const first = await run(cacheFile, [url]);
    expect(first.records[0]?.finalUrl).toBe(`${server.url}${target}`);
    const second = await run(cacheFile, [url]);
    expect(requestsTo(server, "/moved/r1")[1]?.headers["if-none-match"]).toBeUndefined();
    expect(ifNoneMatchOf(target, 1)).toBe('"r1"');
    expect(second.records[0]?.cached).toBe(true);
    expect(lasting(second.records[0] as TrawlRecord)).toEqual(lasting(first.records[0] as TrawlRecord));
  });
});

describe("--cache: what is never kept, and 304s nobody asked for", () => {
  it("errors, 429, 5xx and timeouts are not kept, though they carry an ETag", async () => {
    const paths = { e500: "/never/500", e503: "/never/503", e429: "/never/429", e404: "/never/404", stall: "/never/stall" };
    serve(paths.e500, { etag: '"x500"', status: 500 });
    serve(paths.e503, { etag: '"x503"', status: 503 });
    serve(paths.e429, { etag: '"x429"', status: 429 });
    serve(paths.e404, { etag: '"x404"', status: 404 });
    serve(paths.stall, { etag: '"stall"', stall: true });
    const urls = Object.values(paths).map((p) => `${server.url}${p}`);
    const cacheFile = newCacheFile();
    const args = ["-t", "400ms", "-r", "0"];
    const first = await run(cacheFile, urls, args);
    expect(recordFor(first, `${server.url}${paths.stall}`).error?.code).toBe("ETIMEOUT");
    expect(first.records.every((record) => !record.ok)).toBe(true);
    await run(cacheFile, urls, args);
    for (const pathname of Object.values(paths)) {
      expect(requestsTo(server, pathname)).toHaveLength(2);
      expect(ifNoneMatchOf(pathname, 1), pathname).toBeUndefined();
    }
  });

  it("an error does not drop what was kept: a 503 today, and tomorrow's 304 still re-emits the record", async () => {
    const pathname = "/flaky";
    const url = serve(pathname, { etag: '"fl"' });
    const cacheFile = newCacheFile();
    await run(cacheFile, [url]);
    serve(pathname, { etag: '"fl"', status: 503 });
    const failing = await run(cacheFile, [url], ["-r", "0"]);
    expect(failing.records[0]?.status).toBe(503);
    expect(failing.records[0]?.cached).toBeUndefined();
    serve(pathname, { etag: '"fl"' });
    const back = await run(cacheFile, [url]);
    expect(back.records[0]?.cached).toBe(true);
  });

  it("a 304 the run did not ask for (URL not in the cache) is an ordinary EHTTP", async () => {
    const pathname = "/unsolicited";
    resources.set(pathname, { body: "", always304: { etag: '"u"' } });
    const cacheFile = newCacheFile();
    const result = await run(cacheFile, [`${server.url}${pathname}`]);
    expect(result.code).toBe(1);
    expect(result.records[0]).toMatchObject({ status: 304, ok: false, error: { code: "EHTTP" } });
    expect(result.records[0]?.cached).toBeUndefined();
  });

  it("a 304 from another URL than the one that gave the stored page (the redirect moved) is an ordinary EHTTP", async () => {
    const pathname = "/moving";
    const url = serve(pathname, { redirectTo: "/landing/one" });
    serve("/landing/one", { etag: '"same"' });
    const cacheFile = newCacheFile();
    expect((await run(cacheFile, [url])).records[0]?.finalUrl).toBe(`${server.url}/landing/one`);
    // The redirect now leads elsewhere, to a server that answers 304 with the very ETag stored.
    resources.set(pathname, { body: "", redirectTo: "/landing/two" });
    resources.set("/landing/two", { body: "", always304: { etag: '"same"' } });
    const result = await run(cacheFile, [url]);
    expect(requestsTo(server, "/landing/two")[0]?.headers["if-none-match"]).toBeUndefined();
    expect(result.records[0]).toMatchObject({ finalUrl: `${server.url}/landing/two`, status: 304, ok: false, error: { code: "EHTTP" } });
    expect(result.records[0]?.cached).toBeUndefined();
  });

  it("a 304 to the user's own If-None-Match (no entry of ours) is an ordinary EHTTP", async () => {
    const pathname = "/users-own";
    const url = serve(pathname, { etag: '"mine"' });
    const cacheFile = newCacheFile();
    const result = await run(cacheFile, [url], ["-H", 'If-None-Match: "mine"']);
    expect(ifNoneMatchOf(pathname, 0)).toBe('"mine"');
    expect(result.records[0]).toMatchObject({ status: 304, ok: false, error: { code: "EHTTP" } });
  });

  it("a 304 naming another representation drops the entry and the page is read again, plainly", async () => {
    const pathname = "/odd-304";
    const url = serve(pathname, { etag: '"o1"' });
    const cacheFile = newCacheFile();
    const first = await run(cacheFile, [url]);
    // Now it answers the validators with a 304 for some other ETag: not the stored page.
    resources.set(pathname, { ...(resources.get(pathname) as Resource), conditional304: { etag: '"o2"' } });
    const second = await run(cacheFile, [url]);
    expect(ifNoneMatchOf(pathname, 1)).toBe('"o1"');
    expect(ifNoneMatchOf(pathname, 2)).toBeUndefined();
    expect(second.records[0]?.cached).toBeUndefined();
    expect(second.records[0]?.attempts).toBe(2);
    expect(lasting(second.records[0] as TrawlRecord)).toEqual(lasting(first.records[0] as TrawlRecord));
  });
});
