/**
 * Small real servers for end-to-end tests: HTTP, HTTPS and raw TCP, each on a loopback address and
 * port 0, so tests exercise real sockets, timeouts and parsers rather than a mocked dispatcher
 * (STYLE.md habit 12, as in undici's and ky's own tests).
 */
import { readFileSync } from "node:fs";
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import net, { type AddressInfo, type Socket } from "node:net";
import { fileURLToPath } from "node:url";

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface TestServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** One request as the server saw it, in arrival order. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** `performance.now()` when the request arrived, for measuring gaps between attempts. */
  at: number;
}

export interface HttpTestServer extends TestServer {
  /** The underlying node server, for extra listeners (e.g. 'connect' on a proxy). */
  server: http.Server | https.Server;
  /** Requests whose response has not yet finished or been aborted. */
  inFlight: number;
  /** Peak of `inFlight` since start (or since `resetStats()`). */
  maxConcurrent: number;
  /** Number of requests received. */
  requests: number;
  /** Number of TCP connections accepted (keep-alive reuse keeps this low). */
  connections: number;
  /** Headers of the most recent request, or `undefined` before the first one. */
  lastHeaders: IncomingHttpHeaders | undefined;
  /** Every request received, oldest first. */
  log: SeenRequest[];
  resetStats(): void;
}

export interface RawTestServer extends TestServer {
  /** Number of TCP connections accepted. */
  connections: number;
}

export interface ServerOptions {
  /** Address to listen on; any 127.x.y.z works on Linux without configuration. @default "127.0.0.1" */
  host?: string;
}

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const tlsDir = `${repoRoot}fixtures/tls/`;

function listen(server: net.Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: net.Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    // closeAllConnections() exists on http(s) servers; raw servers destroy their tracked sockets.
    if (server instanceof http.Server || server instanceof https.Server) server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  });
}

function instrument(server: http.Server | https.Server, handler: Handler, host: string, scheme: string): Promise<HttpTestServer> {
  const sockets = new Set<Socket>();
  const state: HttpTestServer = {
    url: "",
    host,
    port: 0,
    server,
    inFlight: 0,
    maxConcurrent: 0,
    requests: 0,
    connections: 0,
    lastHeaders: undefined,
    log: [],
    resetStats() {
      state.maxConcurrent = state.inFlight;
      state.requests = 0;
      state.connections = 0;
      state.lastHeaders = undefined;
      state.log = [];
    },
    close: () => closeServer(server, sockets),
  };
  server.on("connection", (socket: Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    state.requests++;
    state.inFlight++;
    state.maxConcurrent = Math.max(state.maxConcurrent, state.inFlight);
    state.lastHeaders = req.headers;
    state.log.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, at: performance.now() });
    // 'close' fires once whether the response finished or the client went away.
    res.on("close", () => state.inFlight--);
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(error));
      });
  });
  return listen(server, host).then((port) => {
    state.port = port;
    state.url = `${scheme}://${host}:${port}`;
    return state;
  });
}

/** A node:http server running `handler`, with request and concurrency counters. */
export function httpServer(handler: Handler, options: ServerOptions = {}): Promise<HttpTestServer> {
  const host = options.host ?? "127.0.0.1";
  return instrument(http.createServer(), handler, host, "http");
}

/** A node:https server with the self-signed certificate from fixtures/tls (localhost, 127.0.0.1). */
export function httpsServer(handler: Handler, options: ServerOptions = {}): Promise<HttpTestServer> {
  const host = options.host ?? "127.0.0.1";
  const server = https.createServer({ key: readFileSync(`${tlsDir}key.pem`), cert: readFileSync(`${tlsDir}cert.pem`) });
  // TLS handshake failures (the client rejecting our self-signed certificate) are expected noise.
  server.on("tlsClientError", () => {});
  return instrument(server, handler, host, "https");
}

/** The requests `server` received for `path` (query included, as sent), oldest first. */
export function requestsTo(server: HttpTestServer, path: string): SeenRequest[] {
  return server.log.filter((request) => request.url === path);
}

/**
 * A node:net server handing each raw socket to `onConnection`, for responses no HTTP server
 * would send: garbage, resets, drips, broken framing, oversized headers.
 */
export async function rawServer(onConnection: (socket: Socket) => void, options: ServerOptions = {}): Promise<RawTestServer> {
  const host = options.host ?? "127.0.0.1";
  const sockets = new Set<Socket>();
  const server = net.createServer();
  const state: RawTestServer = {
    url: "",
    host,
    port: 0,
    connections: 0,
    close: () => closeServer(server, sockets),
  };
  server.on("connection", (socket) => {
    state.connections++;
    sockets.add(socket);
    // The client hanging up on a misbehaving server is the expected outcome, not a test failure.
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    onConnection(socket);
  });
  state.port = await listen(server, host);
  state.url = `http://${host}:${state.port}`;
  return state;
}

/** Calls `respond` once the first chunk of the request has arrived (so the client is writing no more). */
export function afterRequest(respond: (socket: Socket) => void): (socket: Socket) => void {
  return (socket) => socket.once("data", () => respond(socket));
}

/** A port on `host` that nobody listens on (bound, then released). */
export async function closedPort(host = "127.0.0.1"): Promise<number> {
  const server = net.createServer();
  const port = await listen(server, host);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A handler dispatching on the request path (query string ignored); unknown paths get 404 HTML.
 * A `*` suffix matches a prefix: `"/slow/*"` serves `/slow/1`, `/slow/2`, …
 */
export function routes(table: Record<string, Handler>): Handler {
  return (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const exact = table[path];
    if (exact) return exact(req, res);
    for (const [pattern, handler] of Object.entries(table)) {
      if (pattern.endsWith("*") && path.startsWith(pattern.slice(0, -1))) return handler(req, res);
    }
    sendHtml(res, page("Not Found", "<h1>nope</h1>"), 404);
  };
}

/** A minimal HTML document. */
export function page(title: string, body = "", head = ""): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>${head}</head><body>${body}</body></html>`;
}

/** Ends `res` with an HTML body (a string is sent as UTF-8). */
export function sendHtml(res: ServerResponse, body: string | Buffer, status = 200, headers: Record<string, string | number> = {}): void {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "content-length": bytes.length, ...headers });
  res.end(bytes);
}

/** Ends `res` with a redirect. */
export function redirect(res: ServerResponse, location: string, status = 302): void {
  res.writeHead(status, { location, "content-length": 0 });
  res.end();
}

/** Resolves after `ms`, for slow routes. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
