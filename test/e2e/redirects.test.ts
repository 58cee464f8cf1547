/**
 * Redirects (SPEC §2): followed up to --max-redirects, never to a non-http(s) URL, and without
 * Authorization or Cookie once they leave the origin (as curl and browsers do, RFC 9110 §15.4).
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { runCli, sharedRun } from "../helpers/cli.js";
import { recordFor } from "../helpers/records.js";
import {
  type HttpTestServer,
  type RawTestServer,
  httpServer,
  page,
  rawServer,
  redirect,
  requestsTo,
  routes,
  sendHtml,
} from "../helpers/servers.js";

const SECRET_HEADERS = ["-H", "Authorization: Bearer s3cret", "-H", "Cookie: session=abc", "-H", "X-Trace: t1"];
let origin: HttpTestServer;
let other: HttpTestServer;
let ftpLike: RawTestServer;

beforeAll(async () => {
  // Receives nothing if trawl behaves: a redirect to ftp:// must never open a connection.
  ftpLike = await rawServer((socket) => socket.end("220 hello\r\n"));
  other = await httpServer(routes({ "/landing": (_req, res) => sendHtml(res, page("Elsewhere")) }), {
    host: "127.0.0.2",
  });
  origin = await httpServer(
    routes({
      "/a": (_req, res) => redirect(res, "/b", 301),
      "/b": (_req, res) => redirect(res, `${origin.url}/c`, 302),
      "/c": (_req, res) => redirect(res, "d", 307),
      "/d": (_req, res) => sendHtml(res, page("End of chain")),
      "/loop": (_req, res) => redirect(res, "/loop"),
      "/loop3": (_req, res) => redirect(res, "/loop3"),
      "/once": (_req, res) => redirect(res, "/once-target"),
      "/once-target": (_req, res) => sendHtml(res, page("Should not be reached")),
      "/to-file": (_req, res) => redirect(res, "file:///etc/passwd"),
      "/to-ftp": (_req, res) => redirect(res, `ftp://127.0.0.1:${ftpLike.port}/pub/file.txt`),
      "/cross": (_req, res) => redirect(res, `${other.url}/landing`),
      "/same": (_req, res) => redirect(res, "/landing"),
      "/landing": (_req, res) => sendHtml(res, page("Home landing")),
    }),
  );
});
afterAll(() => Promise.all([origin.close(), other.close(), ftpLike.close()]));

// Every case that needs no special option shares one run (with -H credentials for the header tests).
const run = sharedRun(() =>
  runCli([
    ...["/a", "/loop", "/to-file", "/to-ftp", "/cross", "/same"].map((path) => `${origin.url}${path}`),
    ...SECRET_HEADERS,
    "-r",
    "0",
  ]),
);
/** The shared run's record for a path of the origin server. */
const originRecord = async (path: string) => recordFor(await run(), `${origin.url}${path}`);

describe.concurrent("redirects", () => {
  it("follows a chain of 301, 302 and 307 and reports the finalUrl", async ({ expect }) => {
    expect(await originRecord("/a")).toMatchObject({
      url: `${origin.url}/a`,
      finalUrl: `${origin.url}/d`,
      status: 200,
      ok: true,
      title: "End of chain",
    });
  });

  it("stops a redirect loop with ETOOMANYREDIRECTS after --max-redirects hops", async ({ expect }) => {
    const result = await runCli([`${origin.url}/loop3`, "--max-redirects", "3", "-r", "0"]);
    expect(result.code).toBe(1);
    expect(result.records[0]).toMatchObject({ ok: false, error: { code: "ETOOMANYREDIRECTS" } });
    // The first request plus the three redirects allowed.
    expect(requestsTo(origin, "/loop3")).toHaveLength(4);
  });

  it("stops a loop with the default limit too", async ({ expect }) => {
    expect((await originRecord("/loop")).error?.code).toBe("ETOOMANYREDIRECTS");
    // Default --max-redirects is 10: the first request and ten redirects.
    expect(requestsTo(origin, "/loop")).toHaveLength(11);
  });

  it("returns the 3xx itself with --max-redirects 0, as EHTTP", async ({ expect }) => {
    const result = await runCli([`${origin.url}/once`, "--max-redirects", "0"]);
    expect(result.code).toBe(1);
    expect(result.records[0]).toMatchObject({
      url: `${origin.url}/once`,
      finalUrl: `${origin.url}/once`,
      status: 302,
      ok: false,
      attempts: 1,
      error: { code: "EHTTP" },
    });
    expect(requestsTo(origin, "/once-target")).toHaveLength(0);
  });

  it("never follows a redirect to file:///etc/passwd: EINVALIDURL", async ({ expect }) => {
    const record = await originRecord("/to-file");
    expect(record).toMatchObject({ ok: false, error: { code: "EINVALIDURL" } });
    expect(record.finalUrl).not.toMatch(/^file:/);
    expect((await run()).stdout).not.toContain("root:");
  });

  it("never follows a redirect to ftp://: EINVALIDURL and no connection", async ({ expect }) => {
    expect(await originRecord("/to-ftp")).toMatchObject({ ok: false, error: { code: "EINVALIDURL" } });
    expect(ftpLike.connections).toBe(0);
  });

  it("drops Authorization and Cookie on a redirect to another origin, keeps other headers", async ({ expect }) => {
    expect(await originRecord("/cross")).toMatchObject({ ok: true, finalUrl: `${other.url}/landing`, title: "Elsewhere" });
    // The first hop did carry them, so a missing header below is the redirect's doing.
    const first = requestsTo(origin, "/cross")[0]!;
    expect(first.headers.authorization).toBe("Bearer s3cret");
    expect(first.headers.cookie).toBe("session=abc");
    const landed = requestsTo(other, "/landing");
    expect(landed).toHaveLength(1);
    expect(landed[0]!.headers.authorization).toBeUndefined();
    expect(landed[0]!.headers.cookie).toBeUndefined();
    expect(landed[0]!.headers["x-trace"]).toBe("t1");
  });

  it("keeps Authorization and Cookie on a same-origin redirect", async ({ expect }) => {
    expect(await originRecord("/same")).toMatchObject({ ok: true, finalUrl: `${origin.url}/landing` });
    const landed = requestsTo(origin, "/landing");
    expect(landed).toHaveLength(1);
    expect(landed[0]!.headers.authorization).toBe("Bearer s3cret");
    expect(landed[0]!.headers.cookie).toBe("session=abc");
    expect(landed[0]!.headers["x-trace"]).toBe("t1");
  });
});
