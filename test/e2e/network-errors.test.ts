/**
 * Failures below HTTP (SPEC §2, §4): refused connections, names that do not resolve, resets, and
 * peers that do not speak valid HTTP. Each becomes a record with a stable code; the run goes on.
 *
 * Reset versus protocol error, where the SPEC leaves room:
 * - a TCP reset (RST) is ECONNRESET whatever was received before it (curl: "Recv failure:
 *   Connection reset by peer"; httpx: ReadError);
 * - a clean close (FIN) before any byte of a response is ECONNRESET too, and retried: it is the
 *   keep-alive race (the server closed an idle connection as the request went out; curl's "Empty
 *   reply from server");
 * - a clean close after the headers, inside a body whose length the framing promised (chunked or
 *   Content-Length), is broken framing: EPROTOCOL (httpx: RemoteProtocolError "peer closed
 *   connection without sending complete message body");
 * - a clean close after part of the headers is left open: the SPEC's "broken framing" suggests
 *   EPROTOCOL, but undici reports it exactly like the empty reply, so either code is accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCli } from "../helpers/cli.js";
import { type RawResponder, writeThenClose, writeThenReset } from "../helpers/raw-servers.js";
import { recordFor } from "../helpers/records.js";
import { type RawTestServer, afterRequest, closedPort, rawServer } from "../helpers/servers.js";

const NO_RETRY = ["-r", "0", "-t", "5s"];
const raw: Record<string, RawTestServer> = {};

/** Raw responses, each sent once the request has arrived. */
const misbehaviours: Record<string, RawResponder> = {
  emptyReply: (socket) => socket.end(),
  garbage: (socket) => socket.end("SSH-2.0-OpenSSH_9.6\r\n\x00\x01\x02 this is not HTTP\r\n\r\n"),
  resetMidHeaders: (socket) => writeThenReset(socket, "HTTP/1.1 200 OK\r\nContent-Type: text/ht"),
  closeMidHeaders: (socket) => writeThenClose(socket, "HTTP/1.1 200 OK\r\nContent-Type: text/ht"),
  badChunkSize: (socket) =>
    socket.end("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nhello\r\n0\r\n\r\n"),
  truncatedChunked: (socket) =>
    writeThenClose(socket, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n<title>cut</title>"),
  lyingContentLength: (socket) =>
    writeThenClose(socket, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n<title>short</title>"),
  conflictingContentLength: (socket) =>
    socket.end("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello"),
  oversizedHeaders: (socket) => socket.end(`HTTP/1.1 200 OK\r\nX-Huge: ${"a".repeat(200_000)}\r\nContent-Length: 2\r\n\r\nhi`),
};

let port: number;
let result: CliResult;

beforeAll(async () => {
  for (const [name, respond] of Object.entries(misbehaviours)) raw[name] = await rawServer(afterRequest(respond));
  port = await closedPort();
  // One run over every failure mode (each test below reads its own record): quicker than a process
  // per case, and it shows that each failure stays a value in the stream while the run goes on.
  result = await runCli([`http://127.0.0.1:${port}/`, "http://name.invalid/", ...Object.keys(raw).map(urlOf), ...NO_RETRY]);
});
afterAll(() => Promise.all(Object.values(raw).map((server) => server.close())));

function urlOf(name: string): string {
  return `${raw[name]!.url}/`;
}

describe("connection failures", () => {
  it("prints one record per URL, exits 1, each failing well before the 5 s timeout", () => {
    expect(result.code).toBe(1);
    expect(result.records.map((r) => r.url).sort()).toEqual(
      [`http://127.0.0.1:${port}/`, "http://name.invalid/", ...Object.keys(raw).map(urlOf)].sort(),
    );
    for (const record of result.records) expect(record.ms, record.url).toBeLessThan(4_000);
  });

  it("gives ECONNREFUSED for a port nobody listens on", () => {
    expect(recordFor(result, `http://127.0.0.1:${port}/`)).toMatchObject({
      ok: false,
      status: null,
      attempts: 1,
      error: { code: "ECONNREFUSED" },
    });
  });

  it("gives ENOTFOUND for a name that cannot resolve (.invalid, RFC 6761)", () => {
    expect(recordFor(result, "http://name.invalid/")).toMatchObject({ ok: false, status: null, error: { code: "ENOTFOUND" } });
  });

  it("gives ECONNRESET when the server resets the connection mid-headers", () => {
    expect(recordFor(result, urlOf("resetMidHeaders"))).toMatchObject({ ok: false, status: null, error: { code: "ECONNRESET" } });
  });

  it("gives ECONNRESET for an empty reply (closed before any byte)", () => {
    expect(recordFor(result, urlOf("emptyReply"))).toMatchObject({ ok: false, status: null, error: { code: "ECONNRESET" } });
  });

  it("gives ECONNRESET or EPROTOCOL for a clean close in the middle of the headers", () => {
    const record = recordFor(result, urlOf("closeMidHeaders"));
    expect(record).toMatchObject({ ok: false, status: null });
    expect(record?.error?.code).toBeOneOf(["ECONNRESET", "EPROTOCOL"]);
  });

  it("retries an empty reply and succeeds when the next connection answers", async () => {
    let connections = 0;
    const flaky = await rawServer(
      afterRequest((socket) => {
        connections++;
        if (connections === 1) socket.end();
        else socket.end("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 21\r\n\r\n<title>second</title>");
      }),
    );
    try {
      const retried = await runCli([`${flaky.url}/`, "-r", "1", "--retry-delay", "10ms"]);
      expect(retried.records[0]).toMatchObject({ ok: true, status: 200, attempts: 2, title: "second" });
      expect(connections).toBe(2);
    } finally {
      await flaky.close();
    }
  });
});

describe("responses that are not valid HTTP: EPROTOCOL", () => {
  const cases: [string, string][] = [
    ["garbage instead of a status line", "garbage"],
    ["an invalid chunk size", "badChunkSize"],
    ["a chunked body cut off by a clean close", "truncatedChunked"],
    ["a body shorter than its Content-Length, then a clean close", "lyingContentLength"],
    ["two different Content-Length values", "conflictingContentLength"],
    ["a 200 kB header line", "oversizedHeaders"],
  ];
  for (const [what, name] of cases) {
    it(`gives EPROTOCOL for ${what}`, () => {
      expect(recordFor(result, urlOf(name))).toMatchObject({ ok: false, error: { code: "EPROTOCOL" } });
    });
  }
});
