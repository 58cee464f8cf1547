import { UsageError } from "../errors.js";
import type { InputSource } from "./input.js";
import { parseScope } from "../crawl/scopes.js";
import type { CrawlOptions, TrawlOptions } from "../options.js";
import { parseRate } from "../politeness/host-pacer.js";
import { parseSelectArgument } from "../extract/fields.js";
import { parseShard } from "../urls/shard.js";
import { parseDuration, parseSize, parseWholeNumber } from "./values.js";
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
  robots?: boolean;
  select?: string[];
  each?: string;
  dedupe: boolean;
  shard?: string;
  ordered?: boolean;
  output?: string;
  format?: string;
  save?: string;
  resume?: boolean;
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
  quiet: boolean;
  verbose: boolean;
  allowFailures: boolean;
}

function whole(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = parseWholeNumber(text);
  if (value === null || value < min) throw new UsageError(`${flag} must be an integer >= ${min}, got \`${text}\``);
  return value;
}

function duration(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = parseDuration(text);
  if (value === null || value < min) {
    throw new UsageError(`${flag} must be a duration such as 250ms, 10s or 2m, got \`${text}\``);
  }
  return value;
}

function size(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = parseSize(text);
  if (value === null || value < 1) throw new UsageError(`${flag} must be a size such as 512kb or 10mb, got \`${text}\``);
  return value;
}

function headers(lines: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim();
    if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new UsageError(`--header must look like "Name: value", got \`${line}\``);
    }
    result[name] = line.slice(colon + 1).trim();
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

function regex(flag: string, text: string): RegExp {
  try {
    return new RegExp(text);
  } catch (error) {
    throw new UsageError(`${flag} must be a regular expression, got \`${text}\` (${(error as Error).message})`);
  }
}

/** The crawl flags; they mean nothing without --crawl, so they ask for it rather than being ignored. */
function crawlOptions(flags: RawFlags): CrawlOptions | false {
  const include = flags.include ?? [];
  const exclude = flags.exclude ?? [];
  const given = [
    flags.depth !== undefined && "--depth",
    flags.scope !== undefined && "--scope",
    include.length > 0 && "--include",
    exclude.length > 0 && "--exclude",
    flags.maxPages !== undefined && "--max-pages",
    flags.followNofollow && "--follow-nofollow",
  ].filter(Boolean);
  if (!flags.crawl) {
    if (given.length > 0) throw new UsageError(`${given[0]} needs --crawl`);
    return false;
  }
  const crawl: CrawlOptions = {
    include: include.map((text) => regex("--include", text)),
    exclude: exclude.map((text) => regex("--exclude", text)),
    followNofollow: flags.followNofollow ?? false,
  };
  const depth = whole("--depth", flags.depth, 0);
  if (depth !== undefined) crawl.depth = depth;
  const maxPages = whole("--max-pages", flags.maxPages, 1);
  if (maxPages !== undefined) crawl.maxPages = maxPages;
  if (flags.scope !== undefined) crawl.scope = parseScope(flags.scope);
  return crawl;
}

/**
 * Turns the command line into library options and CLI settings, validating every value on entry
 * and naming the flag in the message.
 */
export function parseFlags(
  urls: string[],
  flags: RawFlags,
  stdinIsTTY: boolean,
): { options: TrawlOptions; settings: CliSettings } {
  const sources: InputSource[] = [];
  if (urls.length > 0) sources.push({ kind: "list", urls });
  for (const path of flags.input ?? []) sources.push(path === "-" ? { kind: "stdin" } : { kind: "file", path });
  const sitemaps = flags.sitemap ?? [];
  const implicitStdin = sources.length === 0 && sitemaps.length === 0 && !stdinIsTTY;
  if (implicitStdin) sources.push({ kind: "stdin" });
  if (sources.length === 0 && sitemaps.length === 0) {
    throw new UsageError("no URLs: give them as arguments, with --input FILE, or on stdin");
  }

  const select: Record<string, string> = {};
  const fieldNames: string[] = [];
  for (const argument of flags.select ?? []) {
    const field = parseSelectArgument(argument);
    if (fieldNames.includes(field.name)) throw new UsageError(`--select ${field.name} is given twice`);
    fieldNames.push(field.name);
    const equals = argument.indexOf("=");
    select[argument.slice(0, equals).trim()] = argument.slice(equals + 1);
  }

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
  assign("concurrency", whole("--concurrency", flags.concurrency, 1));
  assign("perHostConcurrency", whole("--per-host", flags.perHost, 1));
  assign("timeoutMs", duration("--timeout", flags.timeout, 1));
  assign("retries", whole("--retries", flags.retries, 0));
  assign("retryDelayMs", duration("--retry-delay", flags.retryDelay, 0));
  assign("maxRedirects", whole("--max-redirects", flags.maxRedirects, 0));
  assign("maxBytes", size("--max-bytes", flags.maxBytes));
  assign("userAgent", flags.userAgent);
  assign("each", flags.each);
  if (flags.rate !== undefined) options.ratePerSecond = parseRate(flags.rate);
  if (flags.shard !== undefined) options.shard = parseShard(flags.shard);
  if (flags.proxy !== undefined) {
    try {
      const protocol = new URL(flags.proxy).protocol;
      if (protocol !== "http:" && protocol !== "https:") throw new Error(protocol);
    } catch {
      throw new UsageError(`--proxy must be an http:// or https:// URL, got \`${flags.proxy}\``);
    }
    options.proxy = flags.proxy;
  }

  if (flags.save !== undefined) {
    if (flags.save.trim() === "") throw new UsageError("--save needs a folder, got an empty value");
    options.saveDir = flags.save;
  }
  if (sitemaps.length > 0) options.sitemaps = sitemaps;
  if (flags.robots) options.robots = true;
  const crawl = crawlOptions(flags);
  if (crawl) options.crawl = crawl;
  const format = formatOf(flags.format, flags.output);
  if (flags.resume && flags.output === undefined) throw new UsageError("--resume needs --output FILE (the records to resume from)");
  if (flags.resume && format !== "ndjson") throw new UsageError(`--resume works with ndjson output, got --format ${format}`);

  return {
    options,
    settings: {
      sources,
      implicitStdin,
      output: flags.output,
      format,
      resume: flags.resume ?? false,
      summaryFile: flags.summary,
      fieldNames,
      quiet: flags.quiet ?? false,
      verbose: flags.verbose ?? false,
      allowFailures: flags.allowFailures ?? false,
    },
  };
}
