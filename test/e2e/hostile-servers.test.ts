/**
 * More of the hostile-server test bed (issue 4): each misbehaviour costs exactly one record with
 * the right code, and nothing hangs. Complements network-errors, timeouts, compression, redirects, tls.
 */
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { type RawResponder, writeThenReset } from "../helpers/raw-servers.js";
import { recordFor } from "../helpers/records.js";
import { afterRequest, type RawTestServer, rawServer } from "../helpers/servers.js";

const HEAD = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n";
const servers: Record<string, RawTestServer> = {};
const behaviours: Record<string, RawResponder> = {
  // Headers and part of the body, then a TCP reset.
  resetMidBody: (socket) => writeThenReset(socket, `${HEAD}Content-Length: 100000\r\n\r\n<title>x</title>${"a".repeat(1000)}`),
  // More body than Content-Length says: the extra bytes are not part of this response.
  longerThanContentLength: (socket) => {
    socket.end(`${HEAD}Content-Length: 20\r\nConnection: close\r\n\r\n<title>short</title>AND THEN SOME EXTRA BYTES`);
  },
  // One header line of 1 MB.
  megabyteHeader: (socket) => {
    socket.end(`${HEAD}X-Huge: ${"h".repeat(1024 * 1024)}\r\nContent-Length: 0\r\n\r\n`);
  },
  // Ten thousand headers.
  tenThousandHeaders: (socket) => {
    const headers = Array.from({ length: 10_000 }, (_, i) => `X-H${i}: ${i}\r\n`).join("");
    socket.end(`${HEAD}${headers}Content-Length: 0\r\n\r\n`);
  },
  // A plain body that never ends, sent as fast as the socket takes it.
  endlessBody: (socket) => {
    socket.write(`${HEAD}Transfer-Encoding: chunked\r\n\r\n`);
    const chunk = `4000\r\n${"z".repeat(0x4000)}\r\n`;
    const pump = () => {
      while (!socket.destroyed && socket.write(chunk));
      if (!socket.destroyed) socket.once("drain", pump);
    };
    socket.on("error", () => {});
    pump();
  },
  // A brotli bomb: 64 MB of zeros in a few dozen bytes (made once, before the run).
  brotliBomb: (socket) => {
    socket.on("error", () => {});
    socket.end(Buffer.concat([Buffer.from(`${HEAD}Content-Encoding: br\r\nContent-Length: ${bomb.length}\r\n\r\n`), bomb]));
  },
};

let result: Awaited<ReturnType<typeof runCli>>;
let bomb: Buffer;

beforeAll(async () => {
  // Compressed up front: done inside a handler it would stall this process (and its servers' timers).
  bomb = zlib.brotliCompressSync(Buffer.alloc(64 * 1024 * 1024));
  for (const [name, behave] of Object.entries(behaviours)) servers[name] = await rawServer(afterRequest(behave));
  const urls = Object.keys(servers).map(urlOf);
  result = await runCli(["-q", "-r", "0", "-t", "5s", "--max-bytes", "1mb", ...urls], { timeoutMs: 20_000 });
});
afterAll(() => Promise.all(Object.values(servers).map((server) => server.close())));

/** The URL of the server that behaves as `name`. */
function urlOf(name: string): string {
  return `${servers[name]!.url}/${name}`;
}

describe("hostile servers, one record each", () => {
  it("finishes every URL with one record, without hanging", () => {
    expect(result.timedOut).toBe(false);
    expect(result.records).toHaveLength(Object.keys(behaviours).length);
    for (const record of result.records) expect(record.ms, record.url).toBeLessThan(4_000);
  });

  it("a reset in the middle of the body: ECONNRESET", () => {
    expect(recordFor(result, urlOf("resetMidBody"))).toMatchObject({ status: 200, ok: false, error: { code: "ECONNRESET" } });
  });

  it("a body longer than its Content-Length: the declared bytes are the body", () => {
    expect(recordFor(result, urlOf("longerThanContentLength"))).toMatchObject({ ok: true, bytes: 20, title: "short" });
  });

  it("a 1 MB header line and 10,000 headers: EPROTOCOL", () => {
    expect(recordFor(result, urlOf("megabyteHeader")).error?.code).toBe("EPROTOCOL");
    expect(recordFor(result, urlOf("tenThousandHeaders")).error?.code).toBe("EPROTOCOL");
  });

  it("an endless body and a brotli bomb: EBODYTOOLARGE at --max-bytes", () => {
    expect(recordFor(result, urlOf("endlessBody"))).toMatchObject({ status: 200, error: { code: "EBODYTOOLARGE" } });
    expect(recordFor(result, urlOf("brotliBomb"))).toMatchObject({ status: 200, error: { code: "EBODYTOOLARGE" } });
  });
});
