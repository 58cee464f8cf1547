/**
 * Input (SPEC §1): URLs from arguments, -i files, -i - and stdin; comments and blank lines skipped;
 * invalid lines become EINVALIDURL records without stopping the run; duplicates fetched once.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { recordFor } from "../helpers/records.js";
import { type HttpTestServer, httpServer, page, requestsTo, sendHtml } from "../helpers/servers.js";

let server: HttpTestServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "trawl-input-"));
  server = await httpServer((req, res) => sendHtml(res, page(`Page ${req.url}`)));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** How many times the server saw `path`. */
const hits = (path: string) => requestsTo(server, path).length;
const sortedUrls = (records: { url: string }[]) => records.map((r) => r.url).sort();

describe.concurrent("input sources", () => {
  it("reads URLs from stdin when none are given, skipping blanks and comments, trimming lines", async ({ expect }) => {
    const input = `# a comment\n\n   ${server.url}/s1   \n\t\n${server.url}/s2\r\n  # indented comment\n`;
    const result = await runCli([], { input });
    expect(result.code).toBe(0);
    expect(sortedUrls(result.records)).toEqual([`${server.url}/s1`, `${server.url}/s2`]);
  });

  it("reads URLs from -i <file>, repeatable, together with positional URLs", async ({ expect }) => {
    const first = join(dir, "first.txt");
    const second = join(dir, "second.txt");
    writeFileSync(first, `${server.url}/f1\n# skip me\n${server.url}/f2\n`);
    writeFileSync(second, `${server.url}/f3`);
    const result = await runCli([`${server.url}/arg`, "-i", first, "--input", second]);
    expect(result.code).toBe(0);
    expect(sortedUrls(result.records)).toEqual([`${server.url}/arg`, `${server.url}/f1`, `${server.url}/f2`, `${server.url}/f3`].sort());
  });

  it("reads stdin for -i -", async ({ expect }) => {
    const result = await runCli(["-i", "-", `${server.url}/positional`], { input: `${server.url}/dash\n` });
    expect(result.code).toBe(0);
    expect(sortedUrls(result.records)).toEqual([`${server.url}/dash`, `${server.url}/positional`]);
  });

  it("does not read stdin when URLs are given as arguments", async ({ expect }) => {
    const result = await runCli([`${server.url}/only-arg`], { input: `${server.url}/from-stdin\n` });
    expect(result.code).toBe(0);
    expect(sortedUrls(result.records)).toEqual([`${server.url}/only-arg`]);
  });
});

describe.concurrent("invalid lines", () => {
  it("gives EINVALIDURL records for them while the rest of the run goes on", async ({ expect }) => {
    const bad = ["not a url", "mailto:x@y", "file:///etc/passwd", "ftp://127.0.0.1/file", "http://"];
    const input = [`${server.url}/before`, ...bad.map((line) => `  ${line}  `), `${server.url}/after`].join("\n");
    const result = await runCli([], { input });
    expect(result.code).toBe(1);
    expect(result.records).toHaveLength(bad.length + 2);
    for (const line of bad) {
      expect(recordFor(result, line), line).toMatchObject({
        url: line,
        finalUrl: null,
        status: null,
        ok: false,
        attempts: 0,
        error: { code: "EINVALIDURL" },
      });
    }
    const good = result.records.filter((r) => r.ok).map((r) => r.url);
    expect(good.sort()).toEqual([`${server.url}/after`, `${server.url}/before`]);
    expect(result.stdout).not.toContain("root:");
  });
});

describe.concurrent("dedupe", () => {
  it("fetches the same URL (also with a #fragment) once and prints one record", async ({ expect }) => {
    const url = `${server.url}/dup`;
    const input = [url, url, `${url}#section`, url, `${server.url.replace("http://", "HTTP://")}/dup`].join("\n");
    const result = await runCli([], { input });
    expect(result.code).toBe(0);
    expect(result.records).toHaveLength(1);
    expect(result.records[0]?.url).toBe(url);
    expect(hits("/dup")).toBe(1);
  });

  it("fetches every copy with --no-dedupe", async ({ expect }) => {
    const url = `${server.url}/dup-kept`;
    const result = await runCli(["--no-dedupe"], { input: [url, url, url].join("\n") });
    expect(result.code).toBe(0);
    expect(result.records).toHaveLength(3);
    expect(result.records.every((r) => r.url === url && r.ok)).toBe(true);
    expect(hits("/dup-kept")).toBe(3);
  });

  it("keeps URLs that differ only in their query string apart", async ({ expect }) => {
    const result = await runCli([`${server.url}/q?a=1`, `${server.url}/q?a=2`]);
    expect(result.records).toHaveLength(2);
  });
});
