/**
 * The site the fleet tests crawl: `pages` pages at /p/<n>, page n linking to 2n+1 and 2n+2 (a
 * binary tree), back to page 0 and to itself, so that most links lead to pages already seen. Each
 * answer waits `delayMs`, so a crawl lasts long enough to be interrupted. Requests are logged with
 * their User-Agent (each worker of a test gives its own), and `hold` keeps one worker's answers back.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach } from "vitest";
import { type HttpTestServer, httpServer } from "../helpers/servers.js";

export interface TreeSite {
  server: HttpTestServer;
  pages: number;
  /** The seed: page 0. */
  root: string;
  /** Every page's URL, in order. */
  urls: string[];
  /** Answers to requests whose User-Agent contains this text wait until `release()`. */
  hold(userAgent: string): void;
  /** Paths of the requests held now. */
  held(): string[];
  release(): void;
  /** Extra routes, answered before the tree's pages. */
  routes: Map<string, (request: IncomingMessage, response: ServerResponse) => void>;
}

function page(n: number, pages: number): string {
  const links = [2 * n + 1, 2 * n + 2].filter((child) => child < pages).map((child) => `<a href="/p/${child}">Page ${child}</a>`);
  return `<!doctype html><html><head><title>Page ${n}</title></head><body><a href="/p/0">Home</a> <a href="/p/${n}#top">Self</a> ${links.join(" ")}</body></html>`;
}

export async function treeSite(pages: number, delayMs = 0): Promise<TreeSite> {
  let holding: string | null = null;
  const waiting: { path: string; answer: () => void }[] = [];
  const routes = new Map<string, (request: IncomingMessage, response: ServerResponse) => void>();
  const server = await httpServer((request, response) => {
    const path = request.url ?? "/";
    const answer = () => {
      const route = routes.get(path);
      if (route) return route(request, response);
      const n = /^\/p\/(\d+)$/.exec(path) ? Number(path.slice(3)) : -1;
      if (n < 0 || n >= pages) {
        response.statusCode = 404;
        response.end("not found");
        return;
      }
      // An ETag, answered with a 304: a worker with a response cache re-crawls the tree at the cost of its 304s.
      const etag = `"p${n}"`;
      response.setHeader("etag", etag);
      if (request.headers["if-none-match"] === etag) {
        response.statusCode = 304;
        response.end();
        return;
      }
      response.setHeader("content-type", "text/html; charset=utf-8");
      response.end(page(n, pages));
    };
    const later = () => (delayMs > 0 ? setTimeout(answer, delayMs) : answer());
    if (holding !== null && String(request.headers["user-agent"]).includes(holding)) waiting.push({ path, answer: later });
    else later();
  });
  const urls = Array.from({ length: pages }, (_, n) => `${server.url}/p/${n}`);
  return {
    server,
    pages,
    root: urls[0] as string,
    urls,
    routes,
    hold(userAgent) {
      holding = userAgent;
    },
    held: () => waiting.map(({ path }) => path),
    release() {
      holding = null;
      for (const { answer } of waiting.splice(0)) answer();
    },
  };
}

/** URLs that occur more than once in `urls`. */
export function duplicates(urls: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const url of urls) (seen.has(url) ? twice : seen).add(url);
  return [...twice];
}

/**
 * `treeSite` for the tests of one file, called at its top level: every site a test makes is closed
 * after that test.
 */
export function useTreeSites(): (pages: number, delayMs?: number) => Promise<TreeSite> {
  const sites: TreeSite[] = [];
  afterEach(async () => {
    await Promise.all(sites.splice(0).map((site) => site.server.close()));
  });
  return async (pages, delayMs = 0) => {
    const made = await treeSite(pages, delayMs);
    sites.push(made);
    return made;
  };
}
