/** The record shape and the exit status of a plain run (SPEC §4, §5; CONTRACT.md). */
import { afterAll, beforeAll, describe, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { RECORD_KEYS, recordsByPath } from "../helpers/records.js";
import { type HttpTestServer, httpServer, page, routes, sendHtml } from "../helpers/servers.js";

const HOME = page("Home page", "<h1>Welcome</h1>");
let server: HttpTestServer;

beforeAll(async () => {
  server = await httpServer(
    routes({
      "/": (_req, res) => sendHtml(res, HOME),
      "/json": (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"title":"not html"}');
      },
      "/missing-html": (_req, res) => sendHtml(res, page("Gone away"), 404),
    }),
  );
});
afterAll(() => server.close());

describe.concurrent("a successful fetch", () => {
  it("prints one record with every field, keys in contract order, and exits 0", async ({ expect }) => {
    const url = `${server.url}/`;
    const result = await runCli([url]);
    expect(result.stderr).not.toMatch(/Error:|at .*\.js:\d+/);
    expect(result.code).toBe(0);
    expect(result.records).toHaveLength(1);
    const record = result.records[0]!;
    expect(Object.keys(record)).toEqual(RECORD_KEYS);
    expect(record).toMatchObject({
      url,
      finalUrl: url,
      status: 200,
      ok: true,
      attempts: 1,
      bytes: Buffer.byteLength(HOME),
      contentType: "text/html; charset=utf-8",
      title: "Home page",
      data: {},
      error: null,
    });
    expect(Number.isInteger(record.ms)).toBe(true);
    expect(record.ms).toBeGreaterThanOrEqual(0);
  });

  it("normalises the URL it reports (WHATWG serialisation, fragment dropped)", async ({ expect }) => {
    // `http://127.0.0.1:PORT` has no path; WHATWG serialisation adds the "/".
    const result = await runCli([`${server.url.replace("http://", "HTTP://")}#top`]);
    expect(result.code).toBe(0);
    expect(result.records[0]).toMatchObject({ url: `${server.url}/`, finalUrl: `${server.url}/`, ok: true });
  });

  it("does not parse a non-HTML body: title null, data {}", async ({ expect }) => {
    const result = await runCli([`${server.url}/json`, "-s", "h=h1"]);
    expect(result.code).toBe(0);
    expect(result.records[0]).toMatchObject({
      ok: true,
      status: 200,
      contentType: "application/json",
      title: null,
      data: {},
      bytes: 20,
    });
  });
});

describe.concurrent("an HTTP error status", () => {
  it("gives EHTTP with the status, still extracts the HTML title, and exits 1", async ({ expect }) => {
    const result = await runCli([`${server.url}/missing-html`]);
    expect(result.code).toBe(1);
    expect(result.records).toHaveLength(1);
    const record = result.records[0]!;
    expect(record).toMatchObject({ status: 404, ok: false, attempts: 1, title: "Gone away" });
    expect(record.error?.code).toBe("EHTTP");
    expect(typeof record.error?.message).toBe("string");
  });

  it("exits 0 with --allow-failures, the record still saying EHTTP", async ({ expect }) => {
    const result = await runCli([`${server.url}/missing-html`, "--allow-failures"]);
    expect(result.code).toBe(0);
    expect(result.records[0]?.error?.code).toBe("EHTTP");
  });

  it("exits 1 when one URL of several fails", async ({ expect }) => {
    const result = await runCli([`${server.url}/`, `${server.url}/nothing-here`]);
    expect(result.code).toBe(1);
    const byPath = recordsByPath(result.records);
    expect(byPath.get("/")?.ok).toBe(true);
    expect(byPath.get("/nothing-here")).toMatchObject({ ok: false, status: 404, error: { code: "EHTTP" } });
  });
});
