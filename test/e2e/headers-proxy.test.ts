/** Request headers (-H, -A, defaults) and proxies (--proxy and the environment), SPEC §2. */
import http from "node:http";
import net from "node:net";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../helpers/cli.js";
import { type HttpTestServer, httpServer, page, requestsTo, sendHtml } from "../helpers/servers.js";

const { version } = JSON.parse(readFileSync(`${repoRoot}package.json`, "utf8")) as { version: string };
let target: HttpTestServer;
let proxy: HttpTestServer;
/** CONNECT requests the proxy received, as `host:port`. */
const tunnels: string[] = [];

beforeAll(async () => {
  target = await httpServer((req, res) => sendHtml(res, page(`Target ${req.url}`)));
  // A forward proxy: absolute-form requests (`GET http://host:port/path`) are re-issued upstream;
  // CONNECT is tunnelled too, so a client that tunnels still works and the test can say which it saw.
  proxy = await httpServer((req, res) => {
    const upstream = http.request(req.url ?? "", { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  proxy.server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? "");
    const [host, port] = (req.url ?? "").split(":");
    const upstream = net.connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
});
afterAll(() => Promise.all([target.close(), proxy.close()]));

/** Headers of the one request the target received for `path`. */
function headersOf(path: string) {
  const seen = requestsTo(target, path);
  expect(seen).toHaveLength(1);
  return seen[0]!.headers;
}

describe.concurrent("request headers", () => {
  it("sends every -H header and the -A user agent", async ({ expect }) => {
    const result = await runCli([
      `${target.url}/h`,
      "-H",
      "X-Api-Key: k1",
      "--header",
      "Accept-Language: fr-CH",
      "-A",
      "MyBot/2.0 (+https://example.test/bot)",
    ]);
    expect(result.code).toBe(0);
    const headers = headersOf("/h");
    expect(headers["x-api-key"]).toBe("k1");
    expect(headers["accept-language"]).toBe("fr-CH");
    expect(headers["user-agent"]).toBe("MyBot/2.0 (+https://example.test/bot)");
  });

  it("sends User-Agent trawl/<version> and accepts gzip, deflate and br by default", async ({ expect }) => {
    const result = await runCli([`${target.url}/default`]);
    expect(result.code).toBe(0);
    const headers = headersOf("/default");
    expect(headers["user-agent"]).toMatch(/^trawl\//);
    expect(headers["user-agent"]).toContain(version);
    expect(headers["accept-encoding"]).toMatch(/gzip/);
    expect(headers["accept-encoding"]).toMatch(/deflate/);
    expect(headers["accept-encoding"]).toMatch(/br/);
  });
});

describe("proxies", () => {
  it("sends http:// requests through --proxy in absolute form", async () => {
    proxy.resetStats();
    tunnels.length = 0;
    const url = `${target.url}/via-proxy`;
    const result = await runCli([url, "--proxy", proxy.url]);
    expect(result.records[0]).toMatchObject({ ok: true, title: "Target /via-proxy" });
    expect(tunnels).toEqual([]);
    expect(proxy.log.map((r) => r.url)).toEqual([url]);
  });

  it("uses HTTP_PROXY from the environment", async () => {
    proxy.resetStats();
    tunnels.length = 0;
    const url = `${target.url}/via-env`;
    const result = await runCli([url], { env: { HTTP_PROXY: proxy.url } });
    expect(result.records[0]).toMatchObject({ ok: true, title: "Target /via-env" });
    // Whether it tunnels or not is the previous test's business; here: it went through the proxy.
    const viaProxy = [...proxy.log.map((r) => r.url), ...tunnels.map((hostPort) => `CONNECT ${hostPort}`)];
    expect(viaProxy).toEqual([expect.toBeOneOf([url, `CONNECT 127.0.0.1:${target.port}`])]);
  });

  it("bypasses the environment's proxy for hosts in NO_PROXY", async () => {
    proxy.resetStats();
    tunnels.length = 0;
    const result = await runCli([`${target.url}/direct`], {
      env: { HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" },
    });
    expect(result.records[0]).toMatchObject({ ok: true, title: "Target /direct" });
    expect(proxy.requests).toBe(0);
    expect(tunnels).toEqual([]);
  });
});
