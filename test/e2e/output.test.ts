/**
 * Output (SPEC §4): NDJSON on stdout by default, -o with the format taken from the extension or
 * --format, RFC 4180 CSV with the fixed columns then one per --select, and --ordered.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRecords, runCli } from "../helpers/cli.js";
import { parseCsv } from "../helpers/csv.js";
import { type HttpTestServer, httpServer, page, routes, sendHtml, sleep } from "../helpers/servers.js";

const CSV_COLUMNS = ["url", "finalUrl", "status", "ok", "attempts", "ms", "bytes", "contentType", "title", "error"];
const TRICKY_TITLE = 'He said "hi", then left';
let server: HttpTestServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "trawl-output-"));
  server = await httpServer(
    routes({
      "/tricky": (_req, res) =>
        sendHtml(
          res,
          page(
            TRICKY_TITLE.replaceAll('"', "&quot;"),
            '<h1>Heading, with comma</h1><pre title="line one\nline two">poem</pre><ul><li>a</li><li>b</li></ul>',
          ),
        ),
      "/plain": (_req, res) => sendHtml(res, page("Plain")),
      "/delay/*": async (req, res) => {
        await sleep(Number(req.url?.split("/").at(-1)));
        sendHtml(res, page(`Delayed ${req.url}`));
      },
    }),
  );
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.concurrent("-o and --format", () => {
  it("writes RFC 4180 CSV for -o out.csv: header row, quoting, one column per --select", async ({ expect }) => {
    const file = join(dir, "out.csv");
    const result = await runCli([
      `${server.url}/tricky`,
      `${server.url}/missing`,
      "-o",
      file,
      "-s",
      "heading=h1",
      "-s",
      // Text has its whitespace collapsed; an attribute keeps its newline, for the CSV to quote.
      "poem=pre@title",
      "-s",
      "items[]=li",
      "-r",
      "0",
    ]);
    expect(result.code).toBe(1);
    // stdout carries records only, and the records went to the file.
    expect(result.stdout).toBe("");
    const text = readFileSync(file, "utf8");
    // Quotes inside a field are doubled and the field is quoted (RFC 4180 §2.6, §2.7).
    expect(text).toContain('"He said ""hi"", then left"');
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...CSV_COLUMNS, "heading", "poem", "items"]);
    expect(rows).toHaveLength(2);
    const byUrl = Object.fromEntries(rows.map((row) => [row[0], Object.fromEntries(header!.map((name, i) => [name, row[i]]))]));
    const ok = byUrl[`${server.url}/tricky`]!;
    expect(ok).toMatchObject({
      finalUrl: `${server.url}/tricky`,
      status: "200",
      ok: "true",
      attempts: "1",
      title: TRICKY_TITLE,
      error: "",
      heading: "Heading, with comma",
      poem: "line one\nline two",
    });
    // Arrays are JSON text in their cell.
    expect(JSON.parse(ok.items!)).toEqual(["a", "b"]);
    expect(Number(ok.ms)).toBeGreaterThanOrEqual(0);
    const failed = byUrl[`${server.url}/missing`]!;
    expect(failed).toMatchObject({ status: "404", ok: "false", error: "EHTTP" });
  });

  it("writes a JSON array for -o out.json", async ({ expect }) => {
    const file = join(dir, "out.json");
    const result = await runCli([`${server.url}/plain`, `${server.url}/tricky`, "-o", file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    const records = JSON.parse(readFileSync(file, "utf8")) as { url: string; title: string }[];
    expect(Array.isArray(records)).toBe(true);
    expect(records.map((r) => r.title).sort()).toEqual(["Plain", TRICKY_TITLE].sort());
  });

  it("writes NDJSON to -o out.ndjson, one whole record per line", async ({ expect }) => {
    const file = join(dir, "out.ndjson");
    const result = await runCli([`${server.url}/plain`, `${server.url}/tricky`, "-o", file]);
    expect(result.code).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    expect(parseRecords(text)).toHaveLength(2);
  });

  it("lets --format ndjson override the file's extension", async ({ expect }) => {
    const file = join(dir, "forced.json");
    const result = await runCli([`${server.url}/plain`, `${server.url}/tricky`, "-o", file, "--format", "ndjson"]);
    expect(result.code).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(text.trimStart().startsWith("[")).toBe(false);
    expect(
      parseRecords(text)
        .map((r) => r.title)
        .sort(),
    ).toEqual(["Plain", TRICKY_TITLE].sort());
  });

  it("writes NDJSON to a file with an unknown extension", async ({ expect }) => {
    const file = join(dir, "records.txt");
    const result = await runCli([`${server.url}/plain`, "-o", file]);
    expect(result.code).toBe(0);
    expect(parseRecords(readFileSync(file, "utf8"))).toMatchObject([{ title: "Plain" }]);
  });

  it("writes --format csv and --format json to stdout", async ({ expect }) => {
    const csv = await runCli([`${server.url}/plain`, "--format", "csv"]);
    expect(csv.code).toBe(0);
    const [header, row] = parseCsv(csv.stdout);
    expect(header).toEqual(CSV_COLUMNS);
    expect(row?.[0]).toBe(`${server.url}/plain`);
    const json = await runCli([`${server.url}/plain`, "--format", "json"]);
    expect(JSON.parse(json.stdout)).toMatchObject([{ url: `${server.url}/plain`, title: "Plain" }]);
  });
});

describe("record order", () => {
  const urls = () => [`${server.url}/delay/600`, `${server.url}/delay/300`, `${server.url}/delay/0`];

  it("writes records as URLs finish by default (fastest first)", async () => {
    const result = await runCli([...urls(), "-c", "3"]);
    expect(result.records.map((r) => r.url)).toEqual(urls().reverse());
  });

  it("writes records in input order with --ordered, though later URLs finish first", async () => {
    const result = await runCli([...urls(), "-c", "3", "--ordered"]);
    expect(result.code).toBe(0);
    expect(result.records.map((r) => r.url)).toEqual(urls());
  });
});
