/**
 * Issue 12 #3, #9 and SPEC §4: what a run reports besides its records: an interrupted run's summary
 * (aborted URLs apart from failures), CSV's optional columns, and `--format urls`.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, runCli, spawnCli } from "../helpers/cli.js";
import { parseCsv } from "../helpers/csv.js";
import { type HttpTestServer, httpServer, page, requestsTo, routes, sendHtml, sleep } from "../helpers/servers.js";
import { until } from "../helpers/wait.js";

let server: HttpTestServer;
let dir: string;
beforeAll(async () => {
  server = await httpServer(
    routes({
      "/": (_req, res) => sendHtml(res, page("home", '<a href="/a">a</a> <a href="/b">b</a>')),
      "/a": (_req, res) => sendHtml(res, page("A")),
      "/b": (_req, res) => sendHtml(res, page("B", '<a href="/missing">gone</a>')),
      "/missing": (_req, res) => {
        res.statusCode = 404;
        res.end("no");
      },
      "/slow": async (_req, res) => {
        await sleep(10_000);
        sendHtml(res, page("late"));
      },
    }),
  );
  dir = mkdtempSync(join(tmpdir(), "trawl-report-"));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("an interrupted run's summary", () => {
  it("says it was interrupted and counts aborted URLs apart from failures", async () => {
    const summaryFile = join(dir, "interrupted.json");
    const child = spawnCli(["-r", "0", "--summary", summaryFile, `${server.url}/a`, `${server.url}/missing`, `${server.url}/slow`]);
    let written = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (written += chunk));
    const done = collect(child);
    // /a and /missing recorded, /slow hanging: not a fixed delay, which a loaded machine outruns.
    await until(
      () => requestsTo(server, "/slow").length === 1 && server.inFlight === 1 && written.split("\n").length - 1 === 2,
      "two records written and /slow hanging",
    );
    child.kill("SIGINT");
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/3 URLs, 1 ok, 1 failed, 1 aborted in/);
    expect(result.stderr).toMatch(/interrupted/);
    const summary = JSON.parse(readFileSync(summaryFile, "utf8"));
    expect(summary).toMatchObject({ total: 3, ok: 1, failed: 1, aborted: 1, interrupted: true });
  });

  it("a run that ends by itself is not interrupted and has none aborted", async () => {
    const summaryFile = join(dir, "whole.json");
    const result = await runCli(["--summary", summaryFile, `${server.url}/a`]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/interrupted|aborted/);
    expect(JSON.parse(readFileSync(summaryFile, "utf8"))).toMatchObject({ aborted: 0, interrupted: false });
  });
});

describe("CSV columns", () => {
  it("a crawl writes depth and parent, --save writes file, before the select fields", async () => {
    const out = join(dir, "crawl.csv");
    const saved = join(dir, "saved");
    const result = await runCli(["--crawl", "--save", saved, "-s", "h=h1", "-o", out, `${server.url}/`]);
    expect(result.code).toBe(1);
    const [header, ...rows] = parseCsv(readFileSync(out, "utf8"));
    expect(header).toEqual([
      "url",
      "finalUrl",
      "status",
      "ok",
      "attempts",
      "ms",
      "bytes",
      "contentType",
      "title",
      "error",
      "depth",
      "parent",
      "file",
      "h",
    ]);
    const byUrl = new Map(rows.map((row) => [row[0], row]));
    expect(byUrl.get(`${server.url}/`)?.slice(10, 12)).toEqual(["0", ""]);
    expect(byUrl.get(`${server.url}/missing`)?.slice(10, 12)).toEqual(["2", `${server.url}/b`]);
    expect(byUrl.get(`${server.url}/a`)?.[12]).toMatch(/\.html$/);
  });
});

describe("--include that matches nothing", () => {
  it("warns at the end, naming the pattern and how patterns are tested", async () => {
    const result = await runCli(["--crawl", "--include", "^/a", "--include", "/b$", `${server.url}/`]);
    expect(result.code).toBe(0);
    const warnings = result.stderr.split("\n").filter((line) => line.includes("warning"));
    expect(warnings).toEqual([
      "trawl: warning: --include `^/a` matched no link: patterns are tested against the whole URL (https://host/path), not the path alone",
    ]);
    expect(result.records.map((record) => record.url).sort()).toEqual([`${server.url}/`, `${server.url}/b`]);
  });
});

describe("--format urls", () => {
  it("writes the final URL of each ok record, one per line, nothing for failures", async () => {
    const result = await runCli(["--crawl", "--format", "urls", `${server.url}/`]);
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n").filter(Boolean).sort()).toEqual([`${server.url}/`, `${server.url}/a`, `${server.url}/b`].sort());
  });
});
