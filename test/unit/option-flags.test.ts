/** Issue 10: the library names options, the CLI names flags, and each rule is checked once. */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { EXIT_CODE } from "../../src/cli/exit-code.js";
import { parseFlags, type RawFlags } from "../../src/cli/flags.js";
import { flagOf, toCliError } from "../../src/cli/option-flags.js";
import { UsageError } from "../../src/errors.js";
import { resolveOptions, type TrawlOptions } from "../../src/options.js";
import { binPath, cliEnv } from "../helpers/cli.js";
import { usageErrorOf } from "../helpers/usage-error.js";

const messageOf = (run: () => unknown): string => usageErrorOf(run).message;

const badOptions: [string, TrawlOptions][] = [
  ["concurrency", { concurrency: 0 }],
  ["perHostConcurrency", { perHostConcurrency: 0 }],
  ["ratePerSecond", { ratePerSecond: 0 }],
  ["timeoutMs", { timeoutMs: Number.NaN }],
  ["retries", { retries: -1 }],
  ["retryDelayMs", { retryDelayMs: -1 }],
  ["maxRedirects", { maxRedirects: 1.5 }],
  ["maxBytes", { maxBytes: 0 }],
  ["headers", { headers: { "bad name": "x" } }],
  ["proxy", { proxy: "socks5://127.0.0.1:1" }],
  ["shard", { shard: { index: 3, count: 2 } }],
  ["saveDir", { saveDir: " " }],
  ["crawl.depth", { crawl: { depth: -1 } }],
  ["crawl.scope", { crawl: { scope: "planet" as "any" } }],
  ["crawl.include", { crawl: { include: ["("] } }],
  ["crawl.exclude", { crawl: { exclude: ["["] } }],
  ["crawl.maxPages", { crawl: { maxPages: 0 } }],
];

describe("library errors", () => {
  it.each(badOptions)("name the option %s, never a CLI flag", (option, options) => {
    const error = usageErrorOf(() => resolveOptions(options));
    expect(error.option).toBe(option);
    expect(error.message.startsWith(`${option} `)).toBe(true);
    expect(error.message).not.toMatch(/(^|\s)--?[a-z]/);
  });
});

describe("the CLI says them with flags", () => {
  const url = ["https://example.com/"];
  const flags = (overrides: Partial<RawFlags>): RawFlags => ({ dedupe: true, ...overrides });
  it.each([
    [{ timeout: "soon" }, "--timeout must be a duration such as 250ms, 10s or 2m, got `soon`"],
    [{ timeout: "0" }, "--timeout must be a duration such as 250ms, 10s or 2m, got `0`"],
    [{ concurrency: "two" }, "--concurrency must be an integer >= 1, got `two`"],
    [{ perHost: "0" }, "--per-host must be an integer >= 1, got `0`"],
    [{ maxBytes: "lots" }, "--max-bytes must be a size such as 512kb or 10mb, got `lots`"],
    [{ proxy: "ftp://x" }, "--proxy must be an http:// or https:// URL, got `ftp://x`"],
    [{ header: ["Bad Name: x"] }, '--header must be like "Name: value" with a valid name and value, got `Bad Name: x`'],
    [{ crawl: true, scope: "planet" }, "--scope must be one of origin, host, domain, any, got `planet`"],
    [{ crawl: true, depth: "-1" }, "--depth must be an integer >= 0, got `-1`"],
    [{ crawl: true, maxPages: "0" }, "--max-pages must be an integer >= 1, got `0`"],
    [{ save: "" }, "--save must be a folder, got ``"],
  ] as [Partial<RawFlags>, string][])("%j → %s", (overrides, message) => {
    expect(messageOf(() => parseFlags(url, flags(overrides), true))).toBe(message);
  });

  it("keeps the regex's own reason", () => {
    expect(messageOf(() => parseFlags(url, flags({ crawl: true, include: ["("] }), true))).toMatch(
      /^--include must be a regular expression, got `\(` \(.+\)$/,
    );
  });

  it("maps nested option paths to the flag and its argument", () => {
    expect(flagOf("select.price")).toBe("--select price");
    expect(flagOf("crawl.include")).toBe("--include");
    expect(toCliError(new UsageError("select.price bad selector", { option: "select.price" })).message).toBe("--select price bad selector");
    // An error that names no option passes through as it is.
    expect(toCliError(new UsageError("no URLs")).message).toBe("no URLs");
  });
});

describe("exit codes", () => {
  it("--help lists every exit status of the one table", () => {
    const result = spawnSync(process.execPath, [binPath, "--help"], { env: cliEnv(), encoding: "utf8" });
    expect(result.status).toBe(0);
    for (const code of Object.values(EXIT_CODE)) expect(result.stdout).toMatch(new RegExp(`\\b${code} [a-z]`));
  });
});
