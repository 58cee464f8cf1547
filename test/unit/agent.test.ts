import * as undici from "undici";
import { describe, expect, it } from "vitest";
import type { Dispatcher } from "undici";
import { createDispatcher, dispatcherClasses } from "../../src/http/agent.js";
import { OriginDispatchers, type RunDispatcher } from "../../src/http/origin-dispatchers.js";
import { type HttpTestServer, httpServer, page, sendHtml } from "../helpers/servers.js";

// agent.ts loads undici's dispatchers from their own files to skip the rest of undici at start-up.
// undici has no exports map to promise those paths: this is where a moved file would show.
describe("the undici dispatchers trawl loads by path", () => {
  it("are the classes undici exports", () => {
    expect(dispatcherClasses.loadProxyAgent()).toBe(undici.ProxyAgent);
    expect(dispatcherClasses.loadEnvHttpProxyAgent()).toBe(undici.EnvHttpProxyAgent);
    expect(dispatcherClasses.loadPool()).toBe(undici.Pool);
    expect(dispatcherClasses.loadClient()).toBe(undici.Client);
  });

  it("are the ones createDispatcher builds", async () => {
    const base = { insecure: false, timeoutMs: 1000, perHostConcurrency: 4 };
    const plain = createDispatcher({ ...base, proxy: undefined }, {});
    const proxied = createDispatcher({ ...base, proxy: "http://127.0.0.1:9" }, {});
    const fromEnvironment = createDispatcher({ ...base, proxy: undefined }, { HTTP_PROXY: "http://127.0.0.1:9" });
    expect(plain).toBeInstanceOf(OriginDispatchers);
    expect(proxied).toBeInstanceOf(undici.ProxyAgent);
    expect(fromEnvironment).toBeInstanceOf(undici.EnvHttpProxyAgent);
    await Promise.all([plain.destroy(), proxied.destroy(), fromEnvironment.destroy()]);
  });
});

/** The dispatcher of a run without a proxy, allowed `perHostConcurrency` connections to an origin. */
function plainDispatcher(perHostConcurrency: number): RunDispatcher {
  return createDispatcher({ insecure: false, timeoutMs: 5000, perHostConcurrency, proxy: undefined }, {});
}

/** `count` servers that close the connection after every answer. */
function closingServers(count: number, title: string): Promise<HttpTestServer[]> {
  return Promise.all(
    Array.from({ length: count }, () =>
      httpServer((_req, res) => {
        res.setHeader("connection", "close");
        sendHtml(res, page(title));
      }),
    ),
  );
}

/** One GET through `dispatcher`, read to the end; resolves with the status. */
function get(dispatcher: RunDispatcher, origin: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let status = 0;
    const handler: Dispatcher.DispatchHandler = {
      // undici tells the new handler API from the old one by this method.
      onRequestStart: () => undefined,
      onResponseStart: (_controller, statusCode) => {
        status = statusCode;
      },
      onResponseEnd: () => resolve(status),
      onResponseError: (_controller, error) => reject(error),
    };
    dispatcher.dispatch({ origin, path, method: "GET", headers: {} }, handler);
  });
}

// undici 7's Agent, left to itself, closes an origin's new dispatcher when the old one's last
// connection reports its close late (nodejs/undici#5022): one request at a time then costs one
// connection per request, for the rest of the run, once a single connection has closed.
describe("the plain dispatcher's connections", () => {
  it.each([1, 2])("keeps reusing a connection after the server closed the first one (per host %i)", async (perHostConcurrency) => {
    const server = await httpServer((req, res) => {
      if (req.url === "/0") res.setHeader("connection", "close");
      sendHtml(res, page("kept"));
    });
    const dispatcher = plainDispatcher(perHostConcurrency);
    try {
      for (let i = 0; i < 16; i++) expect(await get(dispatcher, server.url, `/${i}`)).toBe(200);
      expect(server.requests).toBe(16);
      // The one the server closed, then no more than the pool may hold: never one per request.
      expect(server.connections).toBeLessThanOrEqual(1 + perHostConcurrency);
    } finally {
      await dispatcher.destroy();
      await server.close();
    }
  });

  // undici's Agent replaced an origin's pool as soon as its connections were all gone, while the old
  // pool still held queued requests: both then had sockets open, past the per-origin cap.
  it("never holds more connections to an origin than the per-host cap, sockets reset or not", async () => {
    let open = 0;
    let peak = 0;
    let served = 0;
    const server = await httpServer((_req, res) => {
      open++;
      peak = Math.max(peak, open);
      res.on("close", () => open--);
      // Now and then every connection is reset at once, while more requests wait in the pool.
      if (++served % 7 === 0) {
        for (const socket of sockets) socket.destroy();
      } else setTimeout(() => sendHtml(res, page("capped")), 5);
    });
    const sockets = new Set<import("node:net").Socket>();
    server.server.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    const dispatcher = plainDispatcher(2);
    try {
      // Six workers, one request after another each: three times the cap, so some always wait.
      let ok = 0;
      const worker = async (id: number) => {
        for (let i = 0; i < 12; i++) {
          const status = await get(dispatcher, server.url, `/${id}/${i}`).catch(() => 0);
          if (status === 200) ok++;
        }
      };
      await Promise.all(Array.from({ length: 6 }, (_, id) => worker(id)));
      expect(ok).toBeGreaterThan(30);
      expect(peak).toBeLessThanOrEqual(2);
    } finally {
      await dispatcher.destroy();
      await server.close();
    }
  });

  it("lets go of an origin once it has no connection and no request left", async () => {
    const servers = await closingServers(3, "once");
    const dispatcher = plainDispatcher(4) as OriginDispatchers;
    try {
      for (const server of servers) expect(await get(dispatcher, server.url, "/")).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(dispatcher.size).toBe(0);
    } finally {
      await dispatcher.destroy();
      await Promise.all(servers.map((server) => server.close()));
    }
  });

  // The sweep for idle origins runs every 1024 requests; run at every request, it must still never
  // let go of the pool a request is about to use (a new one, or one whose connection just closed).
  it("never closes the pool a request is about to use when it sweeps idle origins", async () => {
    const servers = await closingServers(3, "swept");
    const dispatcher = new OriginDispatchers((origin) => new undici.Pool(origin, { connections: 2 }), 1);
    try {
      for (let i = 0; i < 30; i++) {
        const server = servers[i % servers.length] as (typeof servers)[number];
        expect(await get(dispatcher, server.url, `/${i}`)).toBe(200);
      }
      const together = await Promise.allSettled(servers.map((server) => get(dispatcher, server.url, "/together")));
      expect(together.map((outcome) => outcome.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
    } finally {
      await dispatcher.destroy();
      await Promise.all(servers.map((server) => server.close()));
    }
  });
});
