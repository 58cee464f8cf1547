import { ERROR_CODES, type ErrorCode, UsageError } from "../errors.js";
import type { InputSource } from "./input.js";
import { readFileSync } from "node:fs";
import type { Recipe } from "../crawl/recipe.js";
import type { Scope } from "../crawl/scopes.js";
import { type CrawlOptions, type ResolvedOptions, resolveOptions, type TrawlOptions } from "../options.js";
import { parseSelectArgument } from "../extract/fields.js";
import { frontierOption } from "./fleet.js";
import { toCliError } from "./option-flags.js";
import { parseDuration, parseRate, parseShard, parseSize, parseStatusList, parseWholeNumber } from "./values.js";
import { FORMATS, type FormatName } from "./formats/format.js";

/** The flags as commander hands them over: strings, arrays of strings and booleans. */
export interface RawFlags {
  input?: string[];
  sitemap?: string[];
  concurrency?: string;
  perHost?: string;
  rate?: string;
  timeout?: string;
  retries?: string;
  retryDelay?: string;
  maxRedirects?: string;
  maxBytes?: string;
  header?: string[];
  userAgent?: string;
  proxy?: string;
  insecure?: boolean;
  /** `--cookies <file>` gives the file, `--no-cookies` false; the last one typed wins. */
  cookies?: string | false;
  robots?: boolean;
  select?: string[];
  each?: string;
  follow?: string[];
  recipe?: string;
  dedupe: boolean;
  shard?: string;
  ordered?: boolean;
  output?: string;
  format?: string;
  save?: string;
  resume?: boolean;
  cache?: string;
  cacheMaxAge?: string;
  summary?: string;
  crawl?: boolean;
  depth?: string;
  scope?: string;
  include?: string[];
  exclude?: string[];
  maxPages?: string;
  followNofollow?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  allowFailures?: boolean;
  frontier?: string;
  job?: string;
  lease?: string;
  export?: string;
  status?: boolean;
  keep?: boolean;
  /** `--check-links` alone is true; `--check-links all` is "all" (any other text is a URL it swallowed). */
  checkLinks?: string | boolean;
  checkFragments?: boolean;
  accept?: string;
  failOn?: string;
  junit?: string;
}

/** What the CLI itself needs besides the library's options. */
export interface CliSettings {
  sources: InputSource[];
  /** True when stdin is read because no other source was given. */
  implicitStdin: boolean;
  output: string | undefined;
  format: FormatName;
  /** Append to `output`, skipping the URLs it already has a record for. */
  resume: boolean;
  /** Where to write the run summary as JSON. */
  summaryFile: string | undefined;
  fieldNames: string[];
  /** The select keys as typed (`h1`, `books[]`, `books[].title`), in order: the CSV columns follow them. */
  selectKeys: string[];
  quiet: boolean;
  verbose: boolean;
  allowFailures: boolean;
  /** `--fail-on`: the only codes that make the exit status 1; null: every code does. */
  failOn: ErrorCode[] | null;
  /** `--junit`: where to write the JUnit XML report. */
  junitFile: string | undefined;
}

/**
 * Reads `--recipe <file>` (JSON). What it says is the library's to check (`resolveOptions`, naming
 * the key at fault); a file that cannot be read or is not JSON is the CLI's usage error.
 */
function readRecipe(file: string): Recipe {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`--recipe ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  try {
    return JSON.parse(text) as Recipe;
  } catch (error) {
    throw new UsageError(`--recipe ${file}: not JSON (${(error as Error).message})`);
  }
}

/** The text typed for each option, so that a message can quote it rather than the value it became. */
type RawText = Map<string, string>;

/** A whole number, or NaN for other text: the library says what it must be, naming the option. */
function whole(raw: RawText, option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  raw.set(option, text);
  return parseWholeNumber(text) ?? Number.NaN;
}

function duration(raw: RawText, option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  raw.set(option, text);
  return parseDuration(text) ?? Number.NaN;
}

function size(raw: RawText, option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  raw.set(option, text);
  return parseSize(text) ?? Number.NaN;
}

/** `Name: value` lines → headers; whether a name or value is valid is the library's rule. */
function headers(lines: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new UsageError(`--header must look like "Name: value", got \`${line}\``);
    result[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return result;
}

function formatOf(format: string | undefined, output: string | undefined): FormatName {
  if (format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got \`${format}\``);
    }
    return format as FormatName;
  }
  const extension = output?.toLowerCase().match(/\.(ndjson|jsonl|json|csv)$/)?.[1];
  if (extension === "json" || extension === "csv") return extension;
  return "ndjson";
}

/**
 * The crawl flags; they mean nothing without a crawl (--crawl, --follow or --recipe), so they ask
 * for one rather than being ignored.
 */
function crawlOptions(flags: RawFlags, raw: RawText): CrawlOptions | false {
  const include = flags.include ?? [];
  const exclude = flags.exclude ?? [];
  const given = [
    flags.depth !== undefined && "--depth",
    flags.scope !== undefined && "--scope",
    include.length > 0 && "--include",
    exclude.length > 0 && "--exclude",
    flags.maxPages !== undefined && "--max-pages",
    flags.followNofollow && "--follow-nofollow",
    flags.checkLinks !== undefined && "--check-links",
    flags.checkFragments && "--check-fragments",
  ].filter(Boolean);
  const selected = (flags.follow ?? []).length > 0 || flags.recipe !== undefined;
  if (!flags.crawl && selected && given.length === 0) return false;
  if (!flags.crawl && !selected) {
    if (given.length > 0) throw new UsageError(`${given[0]} needs --crawl (or --follow, --recipe)`);
    return false;
  }
  const crawl: CrawlOptions = { include, exclude, followNofollow: flags.followNofollow ?? false };
  const depth = whole(raw, "crawl.depth", flags.depth);
  if (depth !== undefined) crawl.depth = depth;
  const maxPages = whole(raw, "crawl.maxPages", flags.maxPages);
  if (maxPages !== undefined) crawl.maxPages = maxPages;
  // The library checks the name; an unknown one reaches it as given.
  if (flags.scope !== undefined) crawl.scope = flags.scope as Scope;
  return crawl;
}

/** `--fail-on EHTTP,EFRAGMENT`: known codes only (upper-cased), at least one. */
function failOnCodes(text: string | undefined): ErrorCode[] | null {
  if (text === undefined) return null;
  const codes = text.split(",").map((code) => code.trim().toUpperCase());
  const unknown = codes.find((code) => !(ERROR_CODES as readonly string[]).includes(code));
  if (unknown !== undefined) {
    throw new UsageError(`--fail-on must be a list of error codes such as EHTTP,EFRAGMENT (${ERROR_CODES.join(", ")}), got \`${text}\``);
  }
  return [...new Set(codes as ErrorCode[])];
}

/**
 * `--check-links [all]` takes an optional value, so commander hands over as its value whatever word
 * follows it: `trawl --crawl --check-links https://site/` gives the URL, which goes back to the URLs.
 * `external` (the default, said outright) and `all` are the values; any other word is a mistake.
 */
function checkLinksOf(value: string | boolean | undefined, urls: string[]): "external" | "all" | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return "external";
  const word = value.toLowerCase();
  if (word === "all" || word === "external") return word;
  if (!/^https?:\/\//i.test(value)) throw new UsageError(`--check-links takes all or external (or nothing), got \`${value}\``);
  urls.unshift(value);
  return "external";
}

/**
 * Turns the command line into library options and CLI settings. The CLI reads the text (durations,
 * sizes, `k/n`, `Name: value`); every rule about the values is the library's, checked here once on
 * entry (`resolveOptions`) so that a bad value stops the run before anything is read or fetched,
 * and said with the flag and the text the user typed.
 */
export function parseFlags(
  urls: string[],
  flags: RawFlags,
  stdinIsTTY: boolean,
): { options: TrawlOptions; resolved: ResolvedOptions; settings: CliSettings } {
  const positional = [...urls];
  const checkLinks = checkLinksOf(flags.checkLinks, positional);
  const sources: InputSource[] = [];
  if (positional.length > 0) sources.push({ kind: "list", urls: positional });
  for (const path of flags.input ?? []) sources.push(path === "-" ? { kind: "stdin" } : { kind: "file", path });
  const sitemaps = flags.sitemap ?? [];
  // A recipe brings its own start URLs: stdin is read for more only when asked (-i -).
  const recipe = flags.recipe === undefined ? undefined : readRecipe(flags.recipe);
  const hasStart = (recipe?.start ?? []).length > 0;
  const implicitStdin = sources.length === 0 && sitemaps.length === 0 && !hasStart && !stdinIsTTY;
  if (implicitStdin) sources.push({ kind: "stdin" });
  // A worker of a shared crawl may bring no URL: it takes its work from the job.
  if (sources.length === 0 && sitemaps.length === 0 && !hasStart && flags.frontier === undefined) {
    throw new UsageError("no URLs: give them as arguments, with --input FILE, or on stdin");
  }

  const select: Record<string, string> = {};
  const fieldNames: string[] = [];
  const selectKeys: string[] = [];
  for (const argument of flags.select ?? []) {
    const field = parseSelectArgument(argument);
    if (fieldNames.includes(field.name)) throw new UsageError(`--select ${field.name} is given twice`);
    fieldNames.push(field.name);
    const equals = argument.indexOf("=");
    const key = argument.slice(0, equals).trim();
    selectKeys.push(key);
    select[key] = argument.slice(equals + 1);
  }

  const raw: RawText = new Map();
  const options: TrawlOptions = {
    headers: headers(flags.header ?? []),
    select,
    dedupe: flags.dedupe,
    ordered: flags.ordered ?? false,
    insecure: flags.insecure ?? false,
  };
  const assign = <K extends keyof TrawlOptions>(key: K, value: TrawlOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  assign("concurrency", whole(raw, "concurrency", flags.concurrency));
  assign("perHostConcurrency", whole(raw, "perHostConcurrency", flags.perHost));
  assign("timeoutMs", duration(raw, "timeoutMs", flags.timeout));
  assign("retries", whole(raw, "retries", flags.retries));
  assign("retryDelayMs", duration(raw, "retryDelayMs", flags.retryDelay));
  assign("maxRedirects", whole(raw, "maxRedirects", flags.maxRedirects));
  assign("maxBytes", size(raw, "maxBytes", flags.maxBytes));
  assign("userAgent", flags.userAgent);
  assign("proxy", flags.proxy);
  assign("saveDir", flags.save);
  assign("each", flags.each);
  if ((flags.follow ?? []).length > 0) options.follow = flags.follow as string[];
  if (recipe !== undefined) options.recipe = recipe;
  assign("cache", flags.cache);
  assign("cacheMaxAgeMs", duration(raw, "cacheMaxAgeMs", flags.cacheMaxAge));
  if (flags.cacheMaxAge !== undefined && flags.cache === undefined) throw new UsageError("--cache-max-age needs --cache FILE");
  if (flags.rate !== undefined) {
    raw.set("ratePerSecond", flags.rate);
    options.ratePerSecond = parseRate(flags.rate) ?? Number.NaN;
  }
  if (flags.shard !== undefined) {
    raw.set("shard", flags.shard);
    options.shard = parseShard(flags.shard) ?? { index: Number.NaN, count: Number.NaN };
  }
  if (sitemaps.length > 0) options.sitemaps = sitemaps;
  if (flags.robots) options.robots = true;
  if (flags.cookies === false) options.cookies = false;
  else if (flags.cookies !== undefined) options.cookieFile = flags.cookies;
  const crawl = crawlOptions(flags, raw);
  if (crawl) options.crawl = crawl;
  const frontier = frontierOption(flags, raw, options.crawl !== undefined || options.follow !== undefined || options.recipe !== undefined);
  if (frontier) options.frontier = frontier;
  if (checkLinks) options.checkLinks = checkLinks;
  if (flags.checkFragments) options.checkFragments = true;
  if (flags.accept !== undefined) {
    raw.set("accept", flags.accept);
    options.accept = parseStatusList(flags.accept) ?? [Number.NaN];
  }
  const failOn = failOnCodes(flags.failOn);
  const format = formatOf(flags.format, flags.output);
  if (flags.resume && flags.output === undefined) throw new UsageError("--resume needs --output FILE (the records to resume from)");
  if (flags.resume && format !== "ndjson") throw new UsageError(`--resume works with ndjson output, got --format ${format}`);
  if (flags.resume && (checkLinks || flags.checkFragments)) {
    const flag = checkLinks ? "--check-links" : "--check-fragments";
    throw new UsageError(
      `--resume cannot be combined with ${flag}: a resumed run would not know which pages link to those recorded before`,
    );
  }

  let resolved: ResolvedOptions;
  try {
    resolved = resolveOptions(options);
  } catch (error) {
    throw error instanceof UsageError ? toCliError(error, raw) : error;
  }
  return {
    options,
    resolved,
    settings: {
      sources,
      implicitStdin,
      output: flags.output,
      format,
      resume: flags.resume ?? false,
      summaryFile: flags.summary,
      fieldNames,
      selectKeys,
      quiet: flags.quiet ?? false,
      verbose: flags.verbose ?? false,
      allowFailures: flags.allowFailures ?? false,
      failOn,
      junitFile: flags.junit,
    },
  };
}
