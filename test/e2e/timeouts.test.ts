/**
 * `-t` limits one whole attempt: connect, headers and the entire body (SPEC §2), so a server that
 * never answers and one that keeps a trickle going both end in ETIMEOUT.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { drip } from "../helpers/raw-servers.js";
import { type RawTestServer, afterRequest, rawServer } from "../helpers/servers.js";

let silent: RawTestServer;
let dripHeaders: RawTestServer;
let dripBody: RawTestServer;

beforeAll(async () => {
  // Accepts the connection and reads the request, then says nothing at all.
  silent = await rawServer(() => {});
  // Status line and headers one byte at a time: the headers never complete within 300 ms.
  dripHeaders = await rawServer(afterRequest((socket) => drip(socket, "HTTP/1.1 200 OK\r\nX-Slow: ", 100)));
  // Headers at once, then a body that never ends, one byte every 100 ms: no idle gap ever
  // exceeds 100 ms, so only a limit on the whole attempt stops it.
  dripBody = await rawServer(
    afterRequest((socket) => {
      socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n");
      const timer = setInterval(() => socket.write("1\r\nx\r\n"), 100);
      socket.on("close", () => clearInterval(timer));
    }),
  );
});
afterAll(() => Promise.all([silent.close(), dripHeaders.close(), dripBody.close()]));

// Sequential on purpose: the wall-clock bounds below include process start-up, which parallel
// runs on a small CI machine would inflate.
describe("-t, --timeout", () => {
  it("ends an attempt on a server that never sends headers with ETIMEOUT", async () => {
    const result = await runCli([`${silent.url}/`, "-t", "300ms", "-r", "0"]);
    expect(result.code).toBe(1);
    expect(result.records).toHaveLength(1);
    expect(result.records[0]).toMatchObject({ ok: false, status: null, attempts: 1, error: { code: "ETIMEOUT" } });
    expect(result.records[0]!.ms).toBeGreaterThanOrEqual(250);
    expect(result.records[0]!.ms).toBeLessThan(1_500);
    expect(result.elapsedMs).toBeLessThan(5_000);
  });

  it("ends an attempt whose headers drip in one byte every 100 ms", async () => {
    const result = await runCli([`${dripHeaders.url}/`, "-t", "300ms", "-r", "0"]);
    expect(result.records[0]).toMatchObject({ ok: false, attempts: 1, error: { code: "ETIMEOUT" } });
    expect(result.records[0]!.ms).toBeLessThan(1_500);
    expect(result.elapsedMs).toBeLessThan(5_000);
  });

  it("ends an attempt whose body drips one byte every 100 ms forever", async () => {
    const result = await runCli([`${dripBody.url}/`, "-t", "300ms", "-r", "0"]);
    expect(result.code).toBe(1);
    // The headers did arrive, so the status is known; the attempt still timed out.
    expect(result.records[0]).toMatchObject({ ok: false, attempts: 1, error: { code: "ETIMEOUT" } });
    expect(result.records[0]!.ms).toBeLessThan(1_500);
    expect(result.elapsedMs).toBeLessThan(5_000);
  });

  it("retries timeouts (-r 2 makes three attempts)", async () => {
    const result = await runCli([`${silent.url}/`, "-t", "300ms", "-r", "2", "--retry-delay", "10ms"]);
    expect(result.records[0]).toMatchObject({ ok: false, attempts: 3, error: { code: "ETIMEOUT" } });
    expect(result.records[0]!.ms).toBeGreaterThanOrEqual(850);
    expect(result.records[0]!.ms).toBeLessThan(3_000);
    expect(result.elapsedMs).toBeLessThan(5_000);
  });
});
