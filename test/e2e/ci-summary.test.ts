/**
 * Trawl as a CI step (SPEC §5, issue 5): `--summary FILE` writes the run summary as JSON; with
 * `GITHUB_STEP_SUMMARY` set, a Markdown summary is appended to that file and failed URLs become
 * `::error` workflow commands on stderr (50 at most, then one line counting the rest). stdout
 * carries the records and nothing else in every case.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCli, sharedRun } from "../helpers/cli.js";
import { closedPort, type HttpTestServer, httpServer, page, routes, sendHtml, sleep } from "../helpers/servers.js";

let server: HttpTestServer;
let dir: string;
let refused: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "trawl-ci-summary-"));
  server = await httpServer(
    routes({
      "/ok/*": (req, res) => sendHtml(res, page(`Ok ${req.url}`, "<p>fine</p>")),
      "/slow": async (_req, res) => {
        await sleep(400);
        sendHtml(res, page("Slow", "<p>took a while</p>"));
      },
      // Anything else: 404 (routes' default).
    }),
  );
  refused = `http://127.0.0.1:${await closedPort()}/nobody-home`;
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The mixed list: 3 ok (one slow), one 404, one line that is not a URL, one refused connection. */
function mixedUrls() {
  return {
    ok: [`${server.url}/ok/1`, `${server.url}/ok/2`, `${server.url}/slow`],
    missing: `${server.url}/missing`,
    invalid: "not a url, 100% bad",
    refused,
  };
}

function allUrls(): string[] {
  const m = mixedUrls();
  return [...m.ok, m.missing, m.invalid, m.refused];
}

/** Lines of stderr that are workflow commands. */
const errorLines = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("::error"));

/** stdout holds exactly one JSON record per input line and nothing else (parseRecords throws otherwise). */
function expectRecordsOnly(result: CliResult, count: number): void {
  expect(result.stdout.endsWith("\n")).toBe(true);
  expect(result.stdout).not.toContain("::error");
  expect(result.stdout).not.toMatch(/^trawl:|\| URLs \|/m);
  expect(result.records).toHaveLength(count);
}

describe.concurrent("--summary FILE", () => {
  const summaryFile = () => join(dir, "summary.json");
  const mixedRun = sharedRun(() => runCli(["-r", "0", "-c", "4", "--summary", summaryFile(), ...allUrls()]));

  it("writes the summary as JSON with the documented fields and the right counts", async ({ expect }) => {
    const result = await mixedRun();
    expect(result.code).toBe(1);
    expectRecordsOnly(result, 6);
    const summary = JSON.parse(readFileSync(summaryFile(), "utf8"));
    expect(Object.keys(summary)).toEqual(
      expect.arrayContaining([
        "total",
        "ok",
        "failed",
        "byCode",
        "examples",
        "elapsedMs",
        "urlsPerSecond",
        "latencyMs",
        "bytes",
        "slowestHosts",
        "failingHosts",
        "slowestUrls",
      ]),
    );
    expect(summary).toMatchObject({ total: 6, ok: 3, failed: 3 });
    expect(summary.byCode).toEqual({ EHTTP: 1, EINVALIDURL: 1, ECONNREFUSED: 1 });
    const m = mixedUrls();
    expect(summary.examples).toEqual({ EHTTP: m.missing, EINVALIDURL: m.invalid, ECONNREFUSED: m.refused });
  });

  it("has timings, latency percentiles and bytes that agree with the records", async ({ expect }) => {
    const result = await mixedRun();
    const summary = JSON.parse(readFileSync(summaryFile(), "utf8"));
    const records = result.records;
    // The run includes a 400 ms page, so it cannot have taken less; and it ended before the process did.
    expect(summary.elapsedMs).toBeGreaterThanOrEqual(400);
    expect(summary.elapsedMs).toBeLessThanOrEqual(result.elapsedMs);
    expect(summary.urlsPerSecond).toBeGreaterThan(0);
    expect(summary.urlsPerSecond).toBeCloseTo((6 * 1000) / summary.elapsedMs, 0);
    const { p50, p95, p99 } = summary.latencyMs;
    expect(p50).toBeGreaterThan(0);
    expect(p50).toBeLessThanOrEqual(p95);
    expect(p95).toBeLessThanOrEqual(p99);
    // p99 of five fetched URLs is the slowest one, about 400 ms (within the histogram's 1%).
    const slowest = Math.max(...records.filter((r) => r.attempts > 0).map((r) => r.ms));
    expect(Math.abs(p99 - slowest)).toBeLessThanOrEqual(Math.ceil(slowest * 0.01) + 1);
    expect(summary.bytes).toBe(records.reduce((sum: number, r) => sum + r.bytes, 0));
    expect(summary.bytes).toBeGreaterThan(0);
  });

  it("names the slowest URLs (slowest first) and the slowest and failing hosts", async ({ expect }) => {
    await mixedRun();
    const summary = JSON.parse(readFileSync(summaryFile(), "utf8"));
    const m = mixedUrls();
    expect(summary.slowestUrls.length).toBeGreaterThan(0);
    expect(summary.slowestUrls.length).toBeLessThanOrEqual(5);
    expect(summary.slowestUrls[0]).toMatchObject({ url: m.ok[2], status: 200, code: null });
    expect(summary.slowestUrls[0].ms).toBeGreaterThanOrEqual(400);
    const ms = summary.slowestUrls.map((s: { ms: number }) => s.ms);
    expect(ms).toEqual([...ms].sort((a, b) => b - a));
    // An input line that is not a URL was never fetched: it is no "slow URL".
    expect(summary.slowestUrls.map((s: { url: string }) => s.url)).not.toContain(m.invalid);
    const serverHost = new URL(server.url).host;
    expect(summary.slowestHosts.map((h: { host: string }) => h.host)).toContain(serverHost);
    expect(summary.failingHosts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ host: serverHost, failed: 1, count: 4 }),
        expect.objectContaining({ host: new URL(m.refused).host, failed: 1, count: 1 }),
      ]),
    );
  });

  it("is written with --quiet too (which silences stderr)", async ({ expect }) => {
    const file = join(dir, "quiet-summary.json");
    const result = await runCli(["-q", "--summary", file, `${server.url}/ok/q`]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expectRecordsOnly(result, 1);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ total: 1, ok: 1, failed: 0, byCode: {} });
  });
});

describe.concurrent("GITHUB_STEP_SUMMARY", () => {
  const PREVIOUS = "## An earlier step\n\nIts own summary, which trawl must keep.\n\n";
  const stepFile = () => join(dir, "step-summary.md");
  const stepRun = sharedRun(() => {
    writeFileSync(stepFile(), PREVIOUS);
    return runCli(["-r", "0", "-c", "4", ...allUrls()], { env: { GITHUB_STEP_SUMMARY: stepFile() } });
  });

  it("appends a Markdown summary after what the file already held", async ({ expect }) => {
    const result = await stepRun();
    expect(result.code).toBe(1);
    expectRecordsOnly(result, 6);
    const markdown = readFileSync(stepFile(), "utf8");
    expect(markdown.startsWith(PREVIOUS)).toBe(true);
    expect(markdown.length).toBeGreaterThan(PREVIOUS.length + 50);
  });

  it("holds a table of the counts, the failures by code and the slowest URLs", async ({ expect }) => {
    await stepRun();
    const added = readFileSync(stepFile(), "utf8").slice(PREVIOUS.length);
    const rows = added.split("\n").filter((line) => line.startsWith("|"));
    // A Markdown table: a header row, a delimiter row, then a row with total, ok and failed.
    const header = rows.findIndex((row) => /\|\s*URLs\s*\|\s*ok\s*\|\s*failed\s*\|/i.test(row));
    expect(header, added).toBeGreaterThanOrEqual(0);
    expect(rows[header + 1]).toMatch(/^\|[\s:|-]+\|$/);
    expect(rows[header + 2]).toMatch(/^\|\s*6\s*\|\s*3\s*\|\s*3\s*\|/);
    // One row per failure code, with its count.
    for (const code of ["EHTTP", "EINVALIDURL", "ECONNREFUSED"]) {
      expect(
        rows.some((row) => row.includes(code) && /\|\s*1\s*\|/.test(row)),
        `${code} row in:\n${added}`,
      ).toBe(true);
    }
    // The slowest URLs, the slow page first.
    const slowHeader = rows.findIndex((row) => /slowest/i.test(row));
    expect(slowHeader, added).toBeGreaterThanOrEqual(0);
    expect(rows[slowHeader + 2]).toContain(mixedUrls().ok[2]);
  });

  it("appends again on a second run (never overwrites)", async ({ expect }) => {
    const file = join(dir, "twice.md");
    writeFileSync(file, PREVIOUS);
    const env = { GITHUB_STEP_SUMMARY: file };
    expect((await runCli([`${server.url}/ok/first`], { env })).code).toBe(0);
    const once = readFileSync(file, "utf8");
    expect((await runCli([`${server.url}/ok/second`], { env })).code).toBe(0);
    const twice = readFileSync(file, "utf8");
    expect(once.startsWith(PREVIOUS)).toBe(true);
    expect(twice.startsWith(once)).toBe(true);
    expect(twice.length - once.length).toBeGreaterThan(50);
  });

  it("reports each failed URL as an ::error line on stderr, and none for ok URLs", async ({ expect }) => {
    const result = await stepRun();
    const lines = errorLines(result.stderr);
    expect(lines, result.stderr).toHaveLength(3);
    const m = mixedUrls();
    expect(lines.filter((line) => line.includes(m.missing))).toHaveLength(1);
    expect(lines.filter((line) => line.includes(m.refused))).toHaveLength(1);
    // Workflow-command escaping: "%" in the message is "%25" (GitHub would read "% b" as an escape).
    expect(lines.filter((line) => line.includes("not a url, 100%25 bad"))).toHaveLength(1);
    for (const url of m.ok) expect(lines.some((line) => line.includes(url))).toBe(false);
    for (const line of lines) expect(line).toMatch(/^::error( [^:]*)?::\S/);
    expect(result.stdout).not.toContain("::");
  });

  // The runner keeps 50 annotations per step: the line counting the rest must be one of them.
  it("gives exactly 50 ::error lines, the last counting the rest, when 60 URLs fail", async ({ expect }) => {
    const file = join(dir, "sixty.md");
    writeFileSync(file, "");
    const failing = Array.from({ length: 60 }, (_, i) => `${server.url}/gone/${i}`);
    const result = await runCli(["-r", "0", "-c", "16", "-i", "-"], {
      input: `${[`${server.url}/ok/among-them`, ...failing].join("\n")}\n`,
      env: { GITHUB_STEP_SUMMARY: file },
    });
    expect(result.code).toBe(1);
    expectRecordsOnly(result, 61);
    const lines = errorLines(result.stderr);
    expect(lines).toHaveLength(50);
    const perUrl = lines.filter((line) => failing.some((url) => line.includes(url)));
    expect(perUrl).toHaveLength(49);
    // 49 distinct failed URLs, none repeated (the message starts with "<url>: ").
    const named = new Set(perUrl.map((line) => failing.find((url) => line.includes(`::${url}: `))));
    named.delete(undefined);
    expect(named.size).toBe(49);
    const more = lines.filter((line) => !perUrl.includes(line));
    expect(more).toHaveLength(1);
    expect(lines.at(-1)).toBe(more[0]);
    expect(more[0]).toMatch(/\b11 more\b/);
    expect(readFileSync(file, "utf8")).toMatch(/\|\s*61\s*\|\s*1\s*\|\s*60\s*\|/);
  });

  it("writes no ::error lines and no Markdown when GITHUB_STEP_SUMMARY is unset", async ({ expect }) => {
    // The helper removes GITHUB_STEP_SUMMARY (and GITHUB_ACTIONS) from the environment.
    const result = await runCli(["-r", "0", ...allUrls()]);
    expect(result.code).toBe(1);
    expectRecordsOnly(result, 6);
    expect(errorLines(result.stderr)).toEqual([]);
    expect(result.stderr).not.toContain("::error");
    expect(result.stderr).not.toMatch(/^\|/m);
    expect(result.stderr).toMatch(/^trawl: 6 URLs, 3 ok, 3 failed/m);
  });

  it("an unwritable GITHUB_STEP_SUMMARY is reported on stderr without changing the exit status", async ({ expect }) => {
    const result = await runCli([`${server.url}/ok/unwritable`], { env: { GITHUB_STEP_SUMMARY: join(dir, "no-such-dir", "s.md") } });
    expect(result.code).toBe(0);
    expectRecordsOnly(result, 1);
    expect(result.stderr).toMatch(/GITHUB_STEP_SUMMARY/);
    expect(result.stderr).not.toMatch(/internal error/);
  });
});

describe.concurrent("failed URLs in the step summary, and --fail-on in the annotations (SPEC §9)", () => {
  it("lists the first 100 failed URLs grouped by code and status, and counts the rest", async ({ expect }) => {
    const file = join(dir, "hundred.md");
    writeFileSync(file, "");
    const gone = Array.from({ length: 120 }, (_, i) => `${server.url}/gone/${i}`);
    const result = await runCli(["-r", "0", "-c", "16", "-i", "-"], {
      input: `${[`${server.url}/ok/fine`, ...gone, refused].join("\n")}\n`,
      env: { GITHUB_STEP_SUMMARY: file },
    });
    expect(result.code).toBe(1);
    const markdown = readFileSync(file, "utf8");
    expect(markdown).toContain("#### Failed URLs (121)");
    expect(markdown).toMatch(/\*\*`EHTTP` · HTTP 404\*\* \(120\)/);
    expect(markdown).toMatch(/\*\*`ECONNREFUSED`\*\* \(1\)/);
    const listed = markdown.split("\n").filter((line) => /^- <http/.test(line));
    expect(listed).toHaveLength(100);
    expect(markdown).toContain("_100 of 121 failed URLs are listed; the records have them all._");
    // Without a crawl there is no referring page to name.
    expect(listed.every((line) => /^- <[^>]+>$/.test(line))).toBe(true);
  });

  it("annotates failures outside --fail-on as warnings, after the errors, 50 in all", async ({ expect }) => {
    const file = join(dir, "fail-on.md");
    writeFileSync(file, "");
    const gone = Array.from({ length: 60 }, (_, i) => `${server.url}/gone/${i}`);
    // The two fatal failures (not URLs) come last in the input: they are still annotated first.
    const result = await runCli(["-r", "0", "-c", "16", "--fail-on", "EINVALIDURL", "-i", "-"], {
      input: `${[...gone, "not a url 1", "not a url 2"].join("\n")}\n`,
      env: { GITHUB_STEP_SUMMARY: file },
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.split("\n").filter((line) => line.startsWith("::"));
    expect(lines).toHaveLength(50);
    expect(lines.slice(0, 2).every((line) => line.startsWith("::error title=trawl EINVALIDURL::"))).toBe(true);
    expect(lines.slice(2, 49).every((line) => line.startsWith("::warning title=trawl EHTTP::"))).toBe(true);
    expect(lines[49]).toBe("::warning title=trawl::13 more failed URLs not annotated (see the records)");
    expect(readFileSync(file, "utf8")).toMatch(/\*\*`EHTTP` · HTTP 404\*\* \(60\) · not in --fail-on/);
  });

  it("exits 0 when every failure is outside --fail-on", async ({ expect }) => {
    const result = await runCli(["-r", "0", "--fail-on", "ETIMEOUT", `${server.url}/gone/x`, `${server.url}/ok/y`]);
    expect(result.code).toBe(0);
    expect(result.records.map((record) => record.ok)).toContain(false);
  });
});
