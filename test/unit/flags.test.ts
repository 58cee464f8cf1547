import { describe, expect, it } from "vitest";
import { parseFlags, type RawFlags } from "../../src/cli/flags.js";
import { usageErrorOf } from "../helpers/usage-error.js";

const URLS = ["https://example.com/"];
const raw = (overrides: Partial<RawFlags> = {}): RawFlags => ({ input: [], header: [], select: [], dedupe: true, ...overrides });

describe("parseFlags: sources", () => {
  it("puts positional URLs first, then each --input in order, - meaning stdin", () => {
    const { settings } = parseFlags(URLS, raw({ input: ["a.txt", "-", "b.txt"] }), true);
    expect(settings.sources).toEqual([
      { kind: "list", urls: URLS },
      { kind: "file", path: "a.txt" },
      { kind: "stdin" },
      { kind: "file", path: "b.txt" },
    ]);
    expect(settings.implicitStdin).toBe(false);
  });

  it("reads stdin when nothing else is given and stdin is not a TTY", () => {
    const { settings } = parseFlags([], raw(), false);
    expect(settings.sources).toEqual([{ kind: "stdin" }]);
    expect(settings.implicitStdin).toBe(true);
  });

  it("does not read piped stdin when URLs are given", () => {
    expect(parseFlags(URLS, raw(), false).settings.sources).toEqual([{ kind: "list", urls: URLS }]);
  });

  it("is a usage error to give no source with a TTY stdin", () => {
    expect(usageErrorOf(() => parseFlags([], raw(), true)).message).toMatch(/no URLs/);
  });
});

describe("parseFlags: values", () => {
  it("leaves unset options out, so the library's defaults apply", () => {
    const { options, settings } = parseFlags(URLS, raw(), true);
    expect(options).toEqual({ headers: {}, select: {}, dedupe: true, ordered: false, insecure: false });
    expect(settings).toMatchObject({
      format: "ndjson",
      output: undefined,
      quiet: false,
      verbose: false,
      allowFailures: false,
      fieldNames: [],
    });
  });

  it("converts every value", () => {
    const { options, settings } = parseFlags(
      URLS,
      raw({
        concurrency: "32",
        perHost: "4",
        timeout: "10s",
        retries: "0",
        retryDelay: "250ms",
        maxRedirects: "0",
        maxBytes: "512kb",
        userAgent: "bot/1",
        proxy: "http://127.0.0.1:3128",
        insecure: true,
        ordered: true,
        dedupe: false,
        quiet: true,
        verbose: true,
        allowFailures: true,
        header: ["X-One: 1", "Authorization:  Bearer a:b  "],
        select: ["title=h1", "links[]=a@href"],
      }),
      true,
    );
    expect(options).toEqual({
      concurrency: 32,
      perHostConcurrency: 4,
      timeoutMs: 10_000,
      retries: 0,
      retryDelayMs: 250,
      maxRedirects: 0,
      maxBytes: 524_288,
      userAgent: "bot/1",
      proxy: "http://127.0.0.1:3128",
      insecure: true,
      ordered: true,
      dedupe: false,
      headers: { "X-One": "1", Authorization: "Bearer a:b" },
      select: { title: "h1", "links[]": "a@href" },
    });
    expect(settings).toMatchObject({ quiet: true, verbose: true, allowFailures: true, fieldNames: ["title", "links"] });
  });

  it.each([
    ["--concurrency", { concurrency: "0" }],
    ["--concurrency", { concurrency: "1.5" }],
    ["--concurrency", { concurrency: "many" }],
    ["--per-host", { perHost: "0" }],
    ["--timeout", { timeout: "soon" }],
    ["--timeout", { timeout: "0" }],
    ["--retries", { retries: "-1" }],
    ["--retry-delay", { retryDelay: "later" }],
    ["--max-redirects", { maxRedirects: "ten" }],
    ["--max-bytes", { maxBytes: "lots" }],
    ["--max-bytes", { maxBytes: "0" }],
    ["--format", { format: "xml" }],
    ["--header", { header: ["no colon here"] }],
    ["--header", { header: [": no name"] }],
    ["--header", { header: ["Bad Name: value"] }],
    ["--proxy", { proxy: "socks5://127.0.0.1:1080" }],
    ["--proxy", { proxy: "not a url" }],
    // The field's parser is the library's: it names the option, `select`; the CLI names its flag.
    ["select", { select: ["no-equals"] }],
    ["--select", { select: ["a=h1", "a=h2"] }],
    ["--select", { select: ["a=h1", "a[]=h2"] }],
  ] as [string, Partial<RawFlags>][])("throws a UsageError naming %s for %j", (flag, overrides) => {
    const error = usageErrorOf(() => parseFlags(URLS, raw(overrides), true));
    expect(error.message).toContain(flag);
  });

  it("quotes the bad value in the message", () => {
    expect(usageErrorOf(() => parseFlags(URLS, raw({ concurrency: "0" }), true)).message).toBe(
      "--concurrency must be an integer >= 1, got `0`",
    );
  });

  it("accepts zero where zero makes sense", () => {
    const { options } = parseFlags(URLS, raw({ retries: "0", retryDelay: "0", maxRedirects: "0" }), true);
    expect(options).toMatchObject({ retries: 0, retryDelayMs: 0, maxRedirects: 0 });
  });
});

describe("parseFlags: output format", () => {
  it.each([
    ["out.csv", "csv"],
    ["OUT.CSV", "csv"],
    ["out.json", "json"],
    ["dir/records.JSON", "json"],
    ["out.ndjson", "ndjson"],
    ["out.jsonl", "ndjson"],
    ["out.txt", "ndjson"],
    ["out", "ndjson"],
    ["out.csv.bak", "ndjson"],
  ])("picks the format of -o %s: %s", (output, format) => {
    const { settings } = parseFlags(URLS, raw({ output }), true);
    expect(settings.format).toBe(format);
    expect(settings.output).toBe(output);
  });

  it("defaults to ndjson on stdout", () => {
    expect(parseFlags(URLS, raw(), true).settings.format).toBe("ndjson");
  });

  it("lets --format win over the extension", () => {
    expect(parseFlags(URLS, raw({ output: "out.json", format: "csv" }), true).settings.format).toBe("csv");
    expect(parseFlags(URLS, raw({ format: "json" }), true).settings.format).toBe("json");
  });
});
