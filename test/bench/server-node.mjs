// The Node fallback server, run as its own process group by server.mjs: a cluster of keep-alive HTTP
// workers (one per core) serving the bench page for any path. One Node process serves this page far
// slower than a client can fetch it, hence the cluster.
//
//   node server-node.mjs [--workers N]     prints {"port":…,"workers":N} on stdout once every worker listens
//
// Routes: /delay/… answers after DELAY_MS; /gz/… sends the page gzip-encoded; /site/<pages>/<n> is page n
// of C1's crawl site, generated per request (404 past the site's end); /etag/… sends the page with an ETag
// and answers a request that names it with a 304 (W6, --cache); anything else, the page.
import cluster from "node:cluster";
import { createServer } from "node:http";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { buildPage, buildSitePage } from "./page.mjs";

export const DELAY_MS = 100;
// C1's route: /site/<pages>/<n>, plain decimal numbers only (no query string).
const SITE_ROUTE = /^\/site\/(\d{1,8})\/(\d{1,8})$/;

if (cluster.isPrimary) {
  const { values } = parseArgs({ options: { workers: { type: "string" } } });
  const workers = Number(values.workers ?? availableParallelism());
  // Round-robin (the Linux default) spreads the long-lived keep-alive connections evenly over workers;
  // with SCHED_NONE the kernel often hands most of them to one worker.
  cluster.schedulingPolicy = cluster.SCHED_RR;
  let listening = 0;
  cluster.on("listening", (_worker, address) => {
    if (++listening === workers) process.stdout.write(`${JSON.stringify({ port: address.port, workers })}\n`);
  });
  // A worker dying mid-run would silently halve capacity and skew every figure after it: fail loudly.
  cluster.on("exit", (worker, code, signal) => {
    if (!shuttingDown) {
      console.error(`bench server: worker ${worker.process.pid} died (${signal ?? code})`);
      process.exit(1);
    }
  });
  let shuttingDown = false;
  process.on("SIGTERM", () => {
    shuttingDown = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGKILL");
    process.exit(0);
  });
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  const page = Buffer.from(buildPage());
  const gzipped = gzipSync(page);
  const plainHeaders = { "content-type": "text/html; charset=utf-8", "content-length": page.length };
  const gzipHeaders = {
    "content-type": "text/html; charset=utf-8",
    "content-encoding": "gzip",
    "content-length": gzipped.length,
    vary: "accept-encoding",
  };
  // W6: one ETag for the page, as a static file server would give it; 304s carry it back (RFC 9110 §15.4.5).
  const etag = '"bench-page-1"';
  const etagHeaders = { ...plainHeaders, etag };
  const notModifiedHeaders = { etag };
  const server = createServer(
    // Clients keep their sockets for the whole run; idle gaps between runs must not close them mid-request.
    { keepAliveTimeout: 60_000, requestTimeout: 0, headersTimeout: 60_000 },
    (request, response) => {
      const url = request.url ?? "/";
      if (url.startsWith("/delay/")) {
        setTimeout(() => response.writeHead(200, plainHeaders).end(page), DELAY_MS);
      } else if (url.startsWith("/etag/")) {
        if (request.headers["if-none-match"] === etag) response.writeHead(304, notModifiedHeaders).end();
        else response.writeHead(200, etagHeaders).end(page);
      } else if (url.startsWith("/gz/")) {
        response.writeHead(200, gzipHeaders).end(gzipped);
      } else if (url.startsWith("/site/")) {
        const match = SITE_ROUTE.exec(url);
        const pages = match ? Number(match[1]) : 0;
        const n = match ? Number(match[2]) : 0;
        if (!match || n >= pages) {
          response.writeHead(404, { "content-type": "text/plain", "content-length": 10 }).end("not found\n");
        } else {
          const body = buildSitePage(pages, n);
          response.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(body) }).end(body);
        }
      } else {
        response.writeHead(200, plainHeaders).end(page);
      }
    },
  );
  server.listen({ host: "127.0.0.1", port: 0, backlog: 4096 });
  // Port 0 under cluster: the primary picks one port and shares it with every worker.
}
