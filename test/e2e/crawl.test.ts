/** --crawl (SPEC §6): links followed within depth, scope and filters; every page once. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { recordsByPath, sortedPaths } from "../helpers/records.js";
import { type HttpTestServer, httpServer } from "../helpers/servers.js";

let site: HttpTestServer;
let other: HttpTestServer;
const hits = new Map<string, number>();

function html(title: string, links: string[], extra = ""): string {
  return `<!doctype html><html><head><title>${title}</title>${extra}</head><body>${links.map((href) => `<a href="${href}">${href}</a>`).join("")}</body></html>`;
}

beforeAll(async () => {
  other = await httpServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(html(`other ${req.url}`, []));
  });
  // A small site: a chain for depth, a hub linking everything many times, filters and odd links.
  const pages: Record<string, string> = {
    "/": html("home", ["/chain/1", "/hub", "/hub#again", "/hub?", "/filters/keep-1", "/filters/skip-1", "/odd"]),
    "/chain/1": html("chain 1", ["/chain/2"]),
    "/chain/2": html("chain 2", ["/chain/3"]),
    "/chain/3": html("chain 3", ["/chain/4"]),
    "/chain/4": html("chain 4", []),
    "/hub": html("hub", ["/", "/chain/1", "/hub", "/leaf", "/leaf", "./leaf", "/leaf#x"]),
    "/leaf": html("leaf", ["/hub", "/"]),
    "/filters/keep-1": html("keep", []),
    "/filters/skip-1": html("skip", []),
    "/odd": html("odd", [
      "mailto:a@b.c",
      "javascript:alert(1)",
      "data:text/html,hi",
      "file:///etc/passwd",
      "ftp://x/",
      "/nofollowed-only",
    ]).replace('<a href="/nofollowed-only">', '<a rel="nofollow" href="/nofollowed-only">'),
    "/nofollowed-only": html("nofollowed", []),
    "/meta-nofollow": html("meta", ["/behind-meta"], '<meta name="robots" content="noindex, nofollow">'),
    "/behind-meta": html("behind meta", []),
    "/far": html("far", ["OTHER/elsewhere", "/leaf"]),
  };
  site = await httpServer((req, res) => {
    const path = req.url ?? "/";
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const body = pages[path.split("?")[0] ?? path];
    if (body === undefined) {
      res.writeHead(404, { "content-type": "text/html" });
      res.end(html("missing", []));
      return;
    }
    res.writeHead(200, { "content-type": "text/html" });
    res.end(body.replace("OTHER", other.url));
  });
});
afterAll(() => Promise.all([site.close(), other.close()]));

type CrawlRecord = { url: string; ok: boolean; depth: number; parent: string | null; title: string | null };

async function crawl(args: string[]): Promise<CrawlRecord[]> {
  hits.clear();
  const result = await runCli(["--crawl", "-q", "--retry-delay", "10ms", ...args]);
  expect(result.code, result.stderr).toBeLessThanOrEqual(1);
  return result.records as unknown as CrawlRecord[];
}

describe("--crawl", () => {
  it("follows links to --depth (default 2) and records depth and parent", async () => {
    const records = await crawl([`${site.url}/chain/1`]);
    expect(sortedPaths(records)).toEqual(["/chain/1", "/chain/2", "/chain/3"]);
    const byPath = recordsByPath(records);
    expect(byPath.get("/chain/1")).toMatchObject({ depth: 0, parent: null });
    expect(byPath.get("/chain/2")).toMatchObject({ depth: 1, parent: `${site.url}/chain/1` });
    expect(byPath.get("/chain/3")).toMatchObject({ depth: 2, parent: `${site.url}/chain/2` });
    const deeper = await crawl(["--depth", "3", `${site.url}/chain/1`]);
    expect(sortedPaths(deeper)).toEqual(["/chain/1", "/chain/2", "/chain/3", "/chain/4"]);
    const none = await crawl(["--depth", "0", `${site.url}/chain/1`]);
    expect(sortedPaths(none)).toEqual(["/chain/1"]);
  });

  it("fetches every page once however many pages link to it", async () => {
    const records = await crawl(["--depth", "5", `${site.url}/`]);
    const urls = records.map((r) => r.url);
    expect(new Set(urls).size).toBe(urls.length);
    for (const [path, count] of hits) expect(count, path).toBe(1);
    expect(sortedPaths(records)).toContain("/leaf");
    expect(sortedPaths(records)).toContain("/hub");
  });

  it("never follows mailto:, javascript:, data:, file: or ftp: links, nor rel=nofollow ones", async () => {
    const records = await crawl([`${site.url}/odd`]);
    expect(sortedPaths(records)).toEqual(["/odd"]);
    const followed = await crawl(["--follow-nofollow", `${site.url}/odd`]);
    expect(sortedPaths(followed)).toEqual(["/nofollowed-only", "/odd"]);
  });

  it("honours <meta name=robots content=nofollow> unless --follow-nofollow", async () => {
    expect(sortedPaths(await crawl([`${site.url}/meta-nofollow`]))).toEqual(["/meta-nofollow"]);
    expect(sortedPaths(await crawl(["--follow-nofollow", `${site.url}/meta-nofollow`]))).toEqual(["/behind-meta", "/meta-nofollow"]);
  });

  it("keeps to the origin by default; --scope any leaves it", async () => {
    const origin = await crawl([`${site.url}/far`]);
    expect(origin.map((r) => r.url)).not.toContain(`${other.url}/elsewhere`);
    const any = await crawl(["--scope", "any", `${site.url}/far`]);
    expect(any.map((r) => r.url)).toContain(`${other.url}/elsewhere`);
    // Same host, other port: inside --scope host, outside --scope origin.
    const host = await crawl(["--scope", "host", `${site.url}/far`]);
    expect(host.map((r) => r.url)).toContain(`${other.url}/elsewhere`);
  });

  it("applies --include and --exclude to links (not to the input URLs)", async () => {
    const included = await crawl(["--depth", "1", "--include", "/filters/", `${site.url}/`]);
    expect(sortedPaths(included)).toEqual(["/", "/filters/keep-1", "/filters/skip-1"]);
    const excluded = await crawl(["--depth", "1", "--include", "/filters/", "--exclude", "skip", `${site.url}/`]);
    expect(sortedPaths(excluded)).toEqual(["/", "/filters/keep-1"]);
  });

  it("stops at --max-pages", async () => {
    const records = await crawl(["--depth", "5", "--max-pages", "3", `${site.url}/`]);
    expect(records).toHaveLength(3);
  });

  it("asks for --crawl when a crawl option comes alone, and rejects a bad scope or regex", async () => {
    for (const args of [
      ["--depth", "1"],
      ["--scope", "host"],
      ["--max-pages", "2"],
      ["--include", "x"],
    ]) {
      const result = await runCli([...args, `${site.url}/`]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/needs --crawl/);
    }
    const scope = await runCli(["--crawl", "--scope", "planet", `${site.url}/`]);
    expect(scope.code).toBe(2);
    expect(scope.stderr).toMatch(/--scope must be one of/);
    const regex = await runCli(["--crawl", "--include", "(", `${site.url}/`]);
    expect(regex.code).toBe(2);
    expect(regex.stderr).toMatch(/--include must be a regular expression/);
  });
});
