import { describe, expect, it } from "vitest";
import { DEFAULTS, resolveOptions, VERSION } from "../../src/options.js";
import { usageErrorOf } from "../helpers/usage-error.js";

describe("resolveOptions", () => {
  it("fills the SPEC's defaults", () => {
    const options = resolveOptions();
    expect(options).toMatchObject({
      concurrency: 16,
      perHostConcurrency: 16,
      timeoutMs: 30_000,
      retries: 2,
      retryDelayMs: 500,
      maxRedirects: 10,
      maxBytes: 10 * 1024 * 1024,
      headers: {},
      userAgent: `trawl/${VERSION}`,
      proxy: undefined,
      insecure: false,
      select: { fields: [], follow: [] },
      dedupe: true,
      ordered: false,
    });
    expect(DEFAULTS.maxBytes).toBe(10_485_760);
  });

  it("gives perHostConcurrency the concurrency when unset", () => {
    expect(resolveOptions({ concurrency: 3 }).perHostConcurrency).toBe(3);
    expect(resolveOptions({ concurrency: 40 }).perHostConcurrency).toBe(40);
  });

  it("keeps a smaller perHostConcurrency and never lets it exceed concurrency", () => {
    expect(resolveOptions({ concurrency: 8, perHostConcurrency: 2 }).perHostConcurrency).toBe(2);
    expect(resolveOptions({ concurrency: 4, perHostConcurrency: 10 }).perHostConcurrency).toBe(4);
  });

  it("accepts the boundary values", () => {
    const options = resolveOptions({ concurrency: 1, retries: 0, retryDelayMs: 0, maxRedirects: 0, timeoutMs: 1, maxBytes: 1 });
    // Node's timers wait 2^31-1 ms at most; a longer timeout must not turn into 1 ms.
    expect(resolveOptions({ timeoutMs: 10 ** 12 }).timeoutMs).toBe(2 ** 31 - 1);
    expect(options).toMatchObject({ concurrency: 1, retries: 0, retryDelayMs: 0, maxRedirects: 0, timeoutMs: 1, maxBytes: 1 });
  });

  it("plans select fields, and each", () => {
    const options = resolveOptions({ select: { heading: "h1", "links[]": "a@href" } });
    expect(options.select.fields.map(({ name, selector, read, all }) => ({ name, selector, read, all }))).toEqual([
      { name: "heading", selector: "h1", read: { kind: "text" }, all: false },
      { name: "links", selector: "a", read: { kind: "attribute", name: "href" }, all: true },
    ]);
    const each = resolveOptions({ select: { heading: "h1" }, each: "article" });
    expect(each.select.fields).toMatchObject([{ name: "items", selector: "article", all: true, fields: [{ name: "heading" }] }]);
  });

  it.each([
    ["concurrency", { concurrency: 0 }],
    ["concurrency", { concurrency: -1 }],
    ["concurrency", { concurrency: 1.5 }],
    ["concurrency", { concurrency: Number.NaN }],
    ["concurrency", { concurrency: Number.POSITIVE_INFINITY }],
    ["perHostConcurrency", { perHostConcurrency: 0 }],
    ["timeoutMs", { timeoutMs: 0 }],
    ["retries", { retries: -1 }],
    ["retries", { retries: 0.5 }],
    ["retryDelayMs", { retryDelayMs: -10 }],
    ["maxRedirects", { maxRedirects: -1 }],
    ["maxBytes", { maxBytes: 0 }],
    ["proxy", { proxy: "not a url" }],
    ["proxy", { proxy: "socks5://127.0.0.1:1080" }],
    ["header", { headers: { "bad name": "x" } }],
    ["header", { headers: { "X-Ok": "line\r\nInjected: yes" } }],
    ["heading", { select: { heading: "" } }],
    ["each", { each: "" }],
  ] as const)("throws a UsageError naming %s for %j", (name, options) => {
    expect(usageErrorOf(() => resolveOptions(options)).message).toContain(name);
  });

  it("states what was given in the message", () => {
    expect(() => resolveOptions({ concurrency: 0 })).toThrow(/concurrency must be an integer >= 1, got `0`/);
  });

  it("accepts http and https proxies and valid headers", () => {
    expect(resolveOptions({ proxy: "http://127.0.0.1:8080" }).proxy).toBe("http://127.0.0.1:8080");
    expect(resolveOptions({ headers: { "X-Token": "a b: c" } }).headers).toEqual({ "X-Token": "a b: c" });
  });
});

describe("VERSION", () => {
  it("is the version in package.json (so the default User-Agent never drifts from a release)", async () => {
    const { readFile } = await import("node:fs/promises");
    const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
