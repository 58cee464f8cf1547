/** The options and flags of SPEC §9, checked on entry and said with the flag typed. */
import { describe, expect, it } from "vitest";
import { parseFlags, type RawFlags } from "../../src/cli/flags.js";
import { toCliError } from "../../src/cli/option-flags.js";
import { parseStatusList } from "../../src/cli/values.js";
import { headRefused } from "../../src/http/check-request.js";
import type { FetchOutcome } from "../../src/http/fetch-with-retry.js";
import { TrawlError } from "../../src/errors.js";
import { resolveOptions } from "../../src/options.js";
import { usageErrorOf } from "../helpers/usage-error.js";

const URLS = ["https://site.test/"];
const raw = (overrides: Partial<RawFlags> = {}): RawFlags => ({ input: [], header: [], select: [], dedupe: true, ...overrides });
/** The CLI's message for a command line, as main.ts prints it. */
const cliMessage = (urls: string[], flags: Partial<RawFlags>) => {
  const error = usageErrorOf(() => parseFlags(urls, raw(flags), true));
  return toCliError(error).message;
};

describe("library options", () => {
  it("accept: statuses and ranges become a lookup (2xx by default)", () => {
    expect(resolveOptions({}).accepts(204)).toBe(true);
    expect(resolveOptions({}).accepts(403)).toBe(false);
    const { accepts } = resolveOptions({ accept: [[200, 299], 403, 429] });
    expect([200, 299, 403, 429].map(accepts)).toEqual([true, true, true, true]);
    expect([199, 300, 404, 430, 0, 600].map(accepts)).toEqual([false, false, false, false, false, false]);
    // A list without 2xx: a 204 is then a failure.
    expect(resolveOptions({ accept: [200] }).accepts(204)).toBe(false);
  });

  it.each([[[]], [[99]], [[600]], [[[300, 200]]], [[1.5]], [[Number.NaN]], [[[200, 299, 300]]]])(
    "accept %j is refused, naming the option",
    (accept) => {
      const error = usageErrorOf(() => resolveOptions({ accept: accept as never }));
      expect(error.option).toBe("accept");
      expect(error.message).toMatch(/^accept must be a list of statuses/);
    },
  );

  it("checkLinks and checkFragments need a crawl, and take only their values", () => {
    expect(usageErrorOf(() => resolveOptions({ checkLinks: "all" })).message).toMatch(/^checkLinks needs crawl/);
    expect(usageErrorOf(() => resolveOptions({ checkFragments: true })).message).toMatch(/^checkFragments needs crawl/);
    expect(usageErrorOf(() => resolveOptions({ crawl: true, checkLinks: "internal" as never })).message).toBe(
      'checkLinks must be false, "external" or "all", got `internal`',
    );
    expect(resolveOptions({ crawl: true }).crawl?.check).toBeUndefined();
    expect(resolveOptions({ crawl: true, checkLinks: false }).crawl?.check).toBeUndefined();
    expect(resolveOptions({ crawl: true, checkLinks: "all", checkFragments: true }).crawl?.check).toMatchObject({
      links: "all",
      fragments: true,
    });
  });
});

describe("flags", () => {
  it("--check-links, --check-links all, --check-fragments, --accept, --fail-on, --junit", () => {
    const { options, settings } = parseFlags(
      URLS,
      raw({
        crawl: true,
        checkLinks: "all",
        checkFragments: true,
        accept: "200-299, 403,429",
        failOn: "ehttp,EFRAGMENT,EHTTP",
        junit: "out.xml",
      }),
      true,
    );
    expect(options).toMatchObject({ checkLinks: "all", checkFragments: true, accept: [[200, 299], 403, 429] });
    expect(settings).toMatchObject({ failOn: ["EHTTP", "EFRAGMENT"], junitFile: "out.xml" });
    expect(parseFlags(URLS, raw({ crawl: true, checkLinks: true }), true).options.checkLinks).toBe("external");
    expect(parseFlags(URLS, raw(), true).settings).toMatchObject({ failOn: null, junitFile: undefined });
  });

  it("--check-links takes external (the default, said outright) or all, and refuses another word", () => {
    expect(parseFlags(URLS, raw({ crawl: true, checkLinks: "external" }), true).options.checkLinks).toBe("external");
    expect(parseFlags(URLS, raw({ crawl: true, checkLinks: "ALL" }), true).options.checkLinks).toBe("all");
    expect(parseFlags(URLS, raw({ crawl: true, checkLinks: "external" }), true).settings.sources).toEqual([{ kind: "list", urls: URLS }]);
    expect(cliMessage(URLS, { crawl: true, checkLinks: "al" })).toBe("--check-links takes all or external (or nothing), got `al`");
  });

  it("a URL right after --check-links (its optional value) is a URL", () => {
    const { options, settings } = parseFlags(["https://b.test/"], raw({ crawl: true, checkLinks: "https://a.test/" }), true);
    expect(options.checkLinks).toBe("external");
    expect(settings.sources).toEqual([{ kind: "list", urls: ["https://a.test/", "https://b.test/"] }]);
  });

  it("refuses --resume with checks: the pages recorded before would be missing from linkedFrom", () => {
    expect(cliMessage(URLS, { crawl: true, checkLinks: "all", resume: true, output: "links.ndjson" })).toBe(
      "--resume cannot be combined with --check-links: a resumed run would not know which pages link to those recorded before",
    );
    expect(cliMessage(URLS, { crawl: true, checkFragments: true, resume: true, output: "links.ndjson" })).toMatch(
      /^--resume cannot be combined with --check-fragments: /,
    );
  });

  it("refuses checks that a response cache or a shared crawl would pass in silence", () => {
    expect(usageErrorOf(() => resolveOptions({ crawl: true, checkLinks: "external", cache: "site.cache" })).message).toBe(
      "checkLinks cannot be combined with `cache`: a page the cache answers with a 304 is not read, and the checks need its links and ids",
    );
    expect(cliMessage(URLS, { crawl: true, checkFragments: true, cache: "site.cache" })).toBe(
      "--check-fragments cannot be combined with --cache: a page the cache answers with a 304 is not read, and the checks need its links and ids",
    );
    expect(cliMessage(URLS, { crawl: true, checkLinks: true, frontier: "redis://127.0.0.1:6379/0", job: "site" })).toBe(
      "--check-links cannot be combined with --frontier yet: a crawl shared through Redis does not check links",
    );
  });

  it("says what is wrong with the flag typed", () => {
    expect(cliMessage(URLS, { checkLinks: true })).toBe("--check-links needs --crawl (or --follow, --recipe)");
    expect(cliMessage(URLS, { checkFragments: true })).toBe("--check-fragments needs --crawl (or --follow, --recipe)");
    expect(cliMessage(URLS, { accept: "2xx" })).toBe(
      "--accept must be a list of statuses and ranges (100-599) such as 200-299,403,429, got `2xx`",
    );
    expect(cliMessage(URLS, { accept: "299-200" })).toBe(
      "--accept must be a list of statuses and ranges (100-599) such as 200-299,403,429, got `299-200`",
    );
    expect(cliMessage(URLS, { accept: "700" })).toMatch(/^--accept must be .*, got `700`$/);
    expect(cliMessage(URLS, { failOn: "EHTTP,E404" })).toMatch(
      /^--fail-on must be a list of error codes such as EHTTP,EFRAGMENT \(.*EFRAGMENT.*\), got `EHTTP,E404`$/,
    );
    expect(cliMessage(URLS, { failOn: "" })).toMatch(/^--fail-on must be/);
  });
});

describe("parseStatusList", () => {
  it.each([
    ["200", [200]],
    ["200-299,403", [[200, 299], 403]],
    [" 200 - 204 , 429 ", [[200, 204], 429]],
    ["", null],
    ["200,", null],
    ["2xx", null],
    ["200-", null],
    ["1000", null],
  ])("%j", (text, expected) => {
    expect(parseStatusList(text)).toEqual(expected);
  });
});

describe("headRefused: when a HEAD is asked again with GET", () => {
  const outcome = (status: number | null, error: TrawlError | null = null): FetchOutcome => ({
    finalUrl: "https://x.test/",
    status,
    contentType: null,
    body: null,
    error,
    retryAfterMs: null,
    responseHeaders: null,
    requestHeaders: null,
    attempts: 1,
  });
  const twoHundreds = (status: number) => status >= 200 && status <= 299;

  it.each([405, 501, 400, 403, 404, 410])("%i: yes", (status) => {
    expect(headRefused(outcome(status), twoHundreds)).toBe(true);
  });
  it.each([200, 204, 301, 408, 429, 500, 503, null])("%s: no", (status) => {
    expect(headRefused(outcome(status), twoHundreds)).toBe(false);
  });
  it("not an accepted status, and a broken answer is; a refused connection is not", () => {
    expect(headRefused(outcome(403), (status) => status === 403)).toBe(false);
    expect(headRefused(outcome(null, new TrawlError("EPROTOCOL", "bad")), twoHundreds)).toBe(true);
    expect(headRefused(outcome(null, new TrawlError("ECONNREFUSED", "refused")), twoHundreds)).toBe(false);
  });
});
