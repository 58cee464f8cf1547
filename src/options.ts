import { readFileSync } from "node:fs";
import { invalidOption, optionError, UsageError } from "./errors.js";
import { type FileCookie, parseCookieFile } from "./http/cookie-file.js";
import type { AttemptEvent } from "./http/attempt-event.js";
import { MAX_TIMER_MS } from "./limits.js";

export type { AttemptEvent } from "./http/attempt-event.js";
import { type Recipe, resolveRecipe } from "./crawl/recipe.js";
import { type ExtractionPlan, planExtraction } from "./extract/plan.js";
import type { Shard } from "./urls/shard.js";
import type { CrawlSettings } from "./crawl/frontier.js";
import { SCOPES, type Scope } from "./crawl/scopes.js";
import { DEFAULT_CACHE_MAX_AGE_MS } from "./cache/defaults.js";
import { type CheckLinks, resolveChecks } from "./crawl/check-options.js";
import type { TrawlRecord } from "./record.js";
import { type AcceptOption, resolveAccept } from "./records/accept.js";

/** How `crawl` follows links (SPEC §6). */
export interface CrawlOptions {
  /** Links are followed from pages up to this depth; input URLs are depth 0. @default 2 */
  depth?: number;
  /** Which links count as inside the crawl, measured from the input URL's final page. @default "origin" */
  scope?: Scope;
  /** Follow only links matching one of these (when any are given). @default [] */
  include?: (RegExp | string)[];
  /** Never follow links matching one of these. @default [] */
  exclude?: (RegExp | string)[];
  /** Pages fetched at most, input URLs included. @default Infinity */
  maxPages?: number;
  /** Follow `rel="nofollow"` links (and links of `<meta name="robots" content="nofollow">` pages). @default false */
  followNofollow?: boolean;
  /**
   * A file where the crawl notes every URL it takes or queues, so that a later run given the same
   * file (and `skip` for the pages already recorded) continues the crawl instead of starting over:
   * it ends with the same pages as a crawl never stopped. `--resume` keeps it beside the output.
   * @default undefined (not resumable)
   */
  journal?: string;
}

/**
 * A crawl shared by any number of trawl processes, on any number of machines, through one Redis 7
 * server (SPEC §11): one seen-set, one queue of leased claims, fleet-wide host limits and robots.txt.
 * Each page's record is committed once, by the worker still holding its claim; `trawl()` yields only
 * the records this process committed.
 */
export interface FrontierOptions {
  /** The Redis server and database: `redis://[user:password@]host:port/db`, or `rediss://…` for TLS. */
  url: string;
  /** The job's name (letters, digits, `.`, `_`, `-`): every worker of one crawl gives the same one. */
  job: string;
  /**
   * How long a claimed page (and a host slot) stays this worker's without renewal, in ms; a live
   * worker renews every third of it, a dead one's claims return to the queue once it runs out.
   * @default 60000
   */
  leaseMs?: number;
}

/** Options of `trawl()`. Every field is optional; the defaults are the SPEC's. */
export interface TrawlOptions {
  /** Requests in flight at most, over all hosts. @default 16 */
  concurrency?: number;
  /** Requests in flight at most to one host (`host:port`). @default same as `concurrency` */
  perHostConcurrency?: number;
  /**
   * New requests to one host per second, evenly spaced (`--rate 10/s` is 10, `--rate 30/m` is 0.5).
   * @default undefined (no pacing)
   */
  ratePerSecond?: number;
  /**
   * Limit for one attempt, connect to the last body byte, in ms. Node's timers stop at 2^31-1 ms
   * (~24.8 days), so a longer limit is taken as that one: no practical limit. @default 30000
   */
  timeoutMs?: number;
  /** Extra attempts after a retryable failure. @default 2 */
  retries?: number;
  /** Backoff base in ms: attempt n waits a random time in [0, min(30 s, base × 2^(n-1))]. @default 500 */
  retryDelayMs?: number;
  /** Redirects followed at most; 0 returns the 3xx itself. @default 10 */
  maxRedirects?: number;
  /** Largest decoded body in bytes; larger is `EBODYTOOLARGE`. @default 10485760 (10 MiB) */
  maxBytes?: number;
  /** Extra request headers. @default {} */
  headers?: Record<string, string>;
  /** The User-Agent header. @default "trawl/<version>" */
  userAgent?: string;
  /** Proxy URL for every request; when unset, `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` apply. @default undefined */
  proxy?: string;
  /** Accept invalid TLS certificates. @default false */
  insecure?: boolean;
  /**
   * Keep a cookie jar for the run (RFC 6265: domain, path, expiry, `Secure`), as browsers and Scrapy do:
   * a cookie a response sets is sent on the redirects that follow and on later requests to the same
   * host (or domain, with a `Domain` attribute; ports do not separate sites), never to another one.
   * @default true
   */
  cookies?: boolean;
  /**
   * A Netscape `cookies.txt` (as curl's `-b` reads and `-c` writes, or a browser extension exports) whose
   * cookies the jar starts with; read when the options are, and a file that cannot be read or parsed is
   * a `UsageError`. @default undefined
   */
  cookieFile?: string;
  /**
   * Fields to extract into `data` (SPEC §3): `{ name: "css" }` (the first match's text),
   * `{ name: "css@attr" }` (an attribute; URL attributes made absolute), `{ name: "@attr" }` (of the
   * element evaluated in), `@html` / `@outerHtml`, `{ "name[]": "css" }` (every match), items
   * `{ "list[]": "css", "list[].name": "css" }` (one object per element, nested to any depth), and
   * filters after ` | ` (`number`, `int`, `re:<regex>`, `json`, `lower`, `upper`).
   * @default {}
   */
  select?: Record<string, string>;
  /**
   * Evaluate every `select` field inside each element this CSS selector matches, one object per
   * element, into `data.items` (as `{ "items[]": each, "items[].<name>": … }`). @default undefined
   */
  each?: string;
  /**
   * Follow only the links these selectors pick (`css` or `css@attr`, `href` unless named: pagination
   * `li.next a`, detail pages `article h3 a`) instead of every `a[href]`. Implies a crawl (`crawl`'s
   * scope, include/exclude, maxPages and robots apply) with no depth limit unless `crawl.depth` says.
   * @default []
   */
  follow?: string[];
  /**
   * A site with several kinds of page (SPEC §6): `{ start, pages: { kind: { select, each, follow:
   * { kind: css }, carry } } }`. Start URLs (its `start`, then `urls`) are of the first kind; each
   * kind extracts its own fields and follows its own links; records get `kind` (and `from` with
   * `carry`). Implies a crawl with no depth limit unless `crawl.depth` says. Checked whole before
   * anything is fetched. @default undefined
   */
  recipe?: Recipe;
  /** Fetch each normalised URL once. @default true */
  dedupe?: boolean;
  /** Yield records in input order instead of completion order (bounded reorder window). @default false */
  ordered?: boolean;
  /**
   * Take only the URLs whose stable hash falls in shard `index` of `count` (1-based), so that
   * `count` jobs split one list with no overlap and no gap. @default undefined (every URL)
   */
  shard?: Shard;
  /**
   * Also store every body read under this folder, as `<host>[_<port>]/<path>/<name>~<hash><ext>`;
   * records get `file`. No URL can write outside it, and no two URLs share a file. @default undefined
   */
  saveDir?: string;
  /**
   * Obey robots.txt, fetched once per origin; disallowed URLs get `EROBOTS`, `Crawl-delay` paces
   * the host. @default false
   */
  robots?: boolean;
  /** Sitemaps (URLs or local files; `urlset`, `sitemapindex`, gzipped or not) whose pages are input too, after `urls`. @default [] */
  sitemaps?: string[];
  /** Also follow the links of every HTML page fetched; `true` takes the defaults. @default undefined (no crawl) */
  crawl?: CrawlOptions | boolean;
  /** Share the crawl with other processes through Redis (needs `crawl`). @default undefined (a crawl of this process alone) */
  frontier?: FrontierOptions;
  /**
   * With `crawl`: also request, once each, the links that leave the crawl's scope (`"external"`), and
   * with `"all"` the images, scripts, stylesheets, media and frames of every page read too (any
   * origin): HEAD, then GET when HEAD is refused; never parsed or followed. They obey the per-host
   * limits, the rate, robots.txt and `crawl.exclude`, and get records like pages. Every record that
   * is not ok then gets `linkedFrom`, and is held until the crawl ends so the list is complete.
   * @default false
   */
  checkLinks?: CheckLinks;
  /**
   * With `crawl`: a link `page#id` whose page has no element with that `id` (nor an `<a name>`) gets
   * a record of its own with `EFRAGMENT` (url `page#id`, never requested on its own). A page out of
   * scope is fetched (GET, never followed) when such a link points into it; with `checkLinks`, every
   * page out of scope is fetched so (not asked HEAD). @default false
   */
  checkFragments?: boolean;
  /**
   * The statuses that count as ok, e.g. `[[200, 299], 403, 429]`: a record with one is ok, and an
   * answer with one is not retried. @default [[200, 299]]
   */
  accept?: AcceptOption;
  /**
   * Leaves out the input URLs (normalised, or the raw line for one that is not a URL) for which this
   * returns true, after sitemaps are expanded (`--resume` uses it). @default undefined
   */
  skip?: (key: string) => boolean;
  /**
   * A response cache file (SPEC §10): each 2xx response's validators, record and (when crawling) links
   * are kept there, and the next run with the same file asks with `If-None-Match` / `If-Modified-Since`;
   * a `304` re-emits the stored record with `cached: true`. One process per file. @default undefined
   */
  cache?: string;
  /** With `cache`: entries not seen for this long, in ms, are dropped when the file is opened. @default 2592000000 (30 days) */
  cacheMaxAgeMs?: number;
  /** Aborts the run: no more URLs are taken, in-flight ones end as `EABORTED`. */
  signal?: AbortSignal;
  /** Called after every attempt (for `--verbose` logs and progress). */
  onAttempt?: (event: AttemptEvent) => void;
  /** Called when a URL starts being fetched (for in-flight counts). */
  onStart?: (url: string) => void;
  /**
   * Crawling: called for every URL the crawl queues, as it is taken from the input or found on a page
   * (for totals so far: each gets a record, unless `crawl.maxPages` or an abort ends the crawl first).
   */
  onQueued?: (url: string) => void;
  /**
   * With `checkLinks` or `checkFragments`: called when a failed record is held back, to be yielded when the crawl
   * ends with its complete `linkedFrom` (for live counts of failures: the record comes later).
   */
  onHeld?: (record: TrawlRecord) => void;
  /**
   * Called for what is worth a user's attention but is no record: e.g. a `crawl.include` pattern that
   * matched no link in the whole crawl (patterns are tested against the whole URL).
   */
  onWarning?: (warning: RunWarning) => void;
}

/** A warning about the run as a whole; `option` is the option it concerns, by its path. */
export interface RunWarning {
  option: string;
  message: string;
}

/** The response cache of a run, validated. */
export interface CacheSettings {
  path: string;
  maxAgeMs: number;
}

/** TrawlOptions after validation, every value present. */
export interface ResolvedOptions {
  concurrency: number;
  perHostConcurrency: number;
  ratePerSecond: number | undefined;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  maxRedirects: number;
  maxBytes: number;
  headers: Record<string, string>;
  userAgent: string;
  proxy: string | undefined;
  insecure: boolean;
  cookies: boolean;
  /** The cookies of `cookieFile`, read once. */
  fileCookies: FileCookie[];
  /** The extraction plan made of `select`, `each` and `follow` (a recipe's first kind with `recipe`). */
  select: ExtractionPlan;
  /** One plan per kind of page: a recipe's kinds in order, else `select` alone. */
  plans: ExtractionPlan[];
  /** A recipe's kinds (name, carry), by plan index; null without a recipe. */
  kinds: { name: string; carry: boolean }[] | null;
  /** URLs fetched before `urls`: a recipe's `start`. */
  startUrls: string[];
  dedupe: boolean;
  ordered: boolean;
  shard: Shard | undefined;
  saveDir: string | undefined;
  crawl: CrawlSettings | null;
  frontier: Required<FrontierOptions> | null;
  /** `accept` as a lookup: whether a status counts as ok. */
  accepts: (status: number) => boolean;
  robots: boolean;
  sitemaps: string[];
  skip: ((key: string) => boolean) | undefined;
  cache: CacheSettings | null;
  signal: AbortSignal | undefined;
  onAttempt: ((event: AttemptEvent) => void) | undefined;
  onStart: ((url: string) => void) | undefined;
  onHeld: ((record: TrawlRecord) => void) | undefined;
  onQueued: ((url: string) => void) | undefined;
  onWarning: ((warning: RunWarning) => void) | undefined;
}

/** The package version, kept in step with package.json by a test. */
export const VERSION = "0.1.0";

/** The one defaults object (SPEC §2). */
export const DEFAULTS = {
  concurrency: 16,
  timeoutMs: 30_000,
  retries: 2,
  retryDelayMs: 500,
  maxRedirects: 10,
  maxBytes: 10 * 1024 * 1024,
  userAgent: `trawl/${VERSION}`,
  insecure: false,
  cookies: true,
  dedupe: true,
  ordered: false,
  cacheMaxAgeMs: DEFAULT_CACHE_MAX_AGE_MS,
} as const;

function integer(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalidOption(name, `an integer >= ${min}`, value);
  }
  return value;
}

function validRate(rate: number | undefined): number | undefined {
  if (rate === undefined) return undefined;
  if (!(Number.isFinite(rate) && rate > 0)) throw invalidOption("ratePerSecond", "a number > 0", rate);
  return rate;
}

function validProxy(proxy: string | undefined): string | undefined {
  if (proxy === undefined) return undefined;
  const protocol = URL.canParse(proxy) ? new URL(proxy).protocol : null;
  if (protocol !== "http:" && protocol !== "https:") throw invalidOption("proxy", "an http:// or https:// URL", proxy);
  return proxy;
}

function validHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    // RFC 9110 §5.1: a field name is a token; values may not hold CR, LF or NUL.
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\0]/.test(value)) {
      throw invalidOption("headers", '"Name: value" with a valid name and value', `${name}: ${value}`);
    }
    result[name] = value;
  }
  return result;
}

function readCookieFile(path: string | undefined, cookies: boolean): FileCookie[] {
  if (path === undefined) return [];
  if (!cookies) throw optionError("cookieFile", "needs cookies on: a file of cookies for a run that keeps none");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw optionError("cookieFile", `cannot be read: ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return parseCookieFile(text);
  } catch (error) {
    throw optionError("cookieFile", `is not a Netscape cookies.txt: ${path}: ${(error as Error).message}`);
  }
}

function validShard(shard: Shard | undefined): Shard | undefined {
  if (shard === undefined) return undefined;
  const { index, count } = shard;
  if (!Number.isSafeInteger(count) || !Number.isSafeInteger(index) || count < 1 || index < 1 || index > count) {
    throw invalidOption("shard", "{ index, count } with 1 <= index <= count", `${index}/${count}`);
  }
  return { index, count };
}

function pattern(option: string, value: RegExp | string): RegExp {
  if (value instanceof RegExp) return value;
  try {
    return new RegExp(value);
  } catch (error) {
    throw invalidOption(option, "a regular expression", value, (error as Error).message);
  }
}

function validSaveDir(saveDir: string | undefined): string | undefined {
  if (saveDir !== undefined && saveDir.trim() === "") throw invalidOption("saveDir", "a folder", saveDir);
  return saveDir;
}

/** What a run extracts: `select`/`each`/`follow`, or one plan per kind of a recipe. */
function resolveExtraction(options: TrawlOptions): Pick<ResolvedOptions, "select" | "plans" | "kinds" | "startUrls"> {
  const follow = (options.follow ?? []).map((selector) => ({ selector, option: "follow" }));
  if (options.recipe === undefined) {
    const plan = planExtraction({ select: options.select, each: options.each, follow });
    return { select: plan, plans: [plan], kinds: null, startUrls: [] };
  }
  for (const [name, given] of [
    ["select", options.select],
    ["each", options.each],
    ["follow", options.follow],
  ] as const) {
    if (given !== undefined && (typeof given !== "object" || Object.keys(given).length > 0)) {
      throw optionError(name, "cannot be used with recipe: each kind of page has its own");
    }
  }
  const recipe = resolveRecipe(options.recipe);
  const plans = recipe.kinds.map((kind) => planExtraction(kind.spec, kind.paths));
  return {
    select: plans[0] as ExtractionPlan,
    plans,
    kinds: recipe.kinds.map(({ name, carry }) => ({ name, carry })),
    startUrls: recipe.start,
  };
}

/**
 * The crawl, when one is asked for. Following chosen links (`follow`, a recipe) is a crawl too,
 * with no depth limit by default: the selectors bound it.
 */
function resolveCrawl(crawl: CrawlOptions | boolean | undefined, selected: boolean): CrawlSettings | null {
  if ((crawl === undefined || crawl === false) && !selected) return null;
  const options = crawl === true || crawl === undefined || crawl === false ? {} : crawl;
  const scope = options.scope ?? "origin";
  if (!(SCOPES as readonly string[]).includes(scope)) {
    throw invalidOption("crawl.scope", `one of ${SCOPES.join(", ")}`, scope);
  }
  return {
    maxDepth: integer("crawl.depth", options.depth, selected ? Number.POSITIVE_INFINITY : 2, 0),
    links: selected ? "selected" : "anchors",
    scope,
    include: (options.include ?? []).map((value) => pattern("crawl.include", value)),
    exclude: (options.exclude ?? []).map((value) => pattern("crawl.exclude", value)),
    maxPages: options.maxPages === undefined ? Number.POSITIVE_INFINITY : integer("crawl.maxPages", options.maxPages, 0, 1),
    followNofollow: options.followNofollow ?? false,
    journal: options.journal,
  };
}

// A job name may not hold glob characters or braces: its keys are `trawl:{<job>}:…` (crawl/shared/job-keys.ts).
const JOB_NAME = /^[A-Za-z0-9._-]{1,128}$/;

function resolveFrontier(frontier: FrontierOptions | undefined, crawl: CrawlSettings | null): Required<FrontierOptions> | null {
  if (frontier === undefined) return null;
  const { url, job } = frontier;
  const protocol = URL.canParse(url) ? new URL(url).protocol : null;
  if (protocol !== "redis:" && protocol !== "rediss:")
    throw invalidOption("frontier", "a redis:// or rediss:// URL", url.replace(/:[^:@/]*@/, ":***@"));
  if (typeof job !== "string" || !JOB_NAME.test(job)) throw invalidOption("frontier.job", "1 to 128 letters, digits, '.', '_' or '-'", job);
  // Shorter than a second, ordinary network delays would let live workers' claims expire.
  const leaseMs = Math.min(integer("frontier.leaseMs", frontier.leaseMs, 60_000, 1000), MAX_TIMER_MS);
  if (crawl === null) throw new UsageError("frontier shares a crawl: it needs crawl", { option: "frontier" });
  return { url, job, leaseMs };
}

function resolveCache(path: string | undefined, maxAgeMs: number | undefined): CacheSettings | null {
  // Checked even without a file: a bad value is a mistake whether or not it is used.
  const maxAge = integer("cacheMaxAgeMs", maxAgeMs, DEFAULTS.cacheMaxAgeMs, 1);
  if (path === undefined) return null;
  if (typeof path !== "string" || path.trim() === "") throw invalidOption("cache", "a file path", path);
  return { path, maxAgeMs: maxAge };
}

/** Validates options once, on entry, naming what was wrong; fills every default. */
export function resolveOptions(options: TrawlOptions = {}): ResolvedOptions {
  const concurrency = integer("concurrency", options.concurrency, DEFAULTS.concurrency, 1);
  const accepts = resolveAccept(options.accept);
  const crawl = resolveCrawl(options.crawl, (options.follow ?? []).length > 0 || options.recipe !== undefined);
  const checkContext = { crawling: crawl !== null, cache: options.cache !== undefined, shared: options.frontier !== undefined };
  const check = resolveChecks(options.checkLinks, options.checkFragments, checkContext, accepts);
  return {
    concurrency,
    perHostConcurrency: Math.min(concurrency, integer("perHostConcurrency", options.perHostConcurrency, concurrency, 1)),
    ratePerSecond: validRate(options.ratePerSecond),
    timeoutMs: Math.min(integer("timeoutMs", options.timeoutMs, DEFAULTS.timeoutMs, 1), MAX_TIMER_MS),
    retries: integer("retries", options.retries, DEFAULTS.retries, 0),
    retryDelayMs: integer("retryDelayMs", options.retryDelayMs, DEFAULTS.retryDelayMs, 0),
    maxRedirects: integer("maxRedirects", options.maxRedirects, DEFAULTS.maxRedirects, 0),
    maxBytes: integer("maxBytes", options.maxBytes, DEFAULTS.maxBytes, 1),
    headers: validHeaders(options.headers),
    userAgent: options.userAgent ?? DEFAULTS.userAgent,
    proxy: validProxy(options.proxy),
    insecure: options.insecure ?? DEFAULTS.insecure,
    cookies: options.cookies ?? DEFAULTS.cookies,
    fileCookies: readCookieFile(options.cookieFile, options.cookies ?? DEFAULTS.cookies),
    ...resolveExtraction(options),
    dedupe: options.dedupe ?? DEFAULTS.dedupe,
    ordered: options.ordered ?? DEFAULTS.ordered,
    shard: validShard(options.shard),
    saveDir: validSaveDir(options.saveDir),
    crawl: crawl && check ? { ...crawl, check } : crawl,
    accepts,
    frontier: resolveFrontier(options.frontier, crawl),
    robots: options.robots ?? false,
    sitemaps: options.sitemaps ?? [],
    skip: options.skip,
    cache: resolveCache(options.cache, options.cacheMaxAgeMs),
    signal: options.signal,
    onAttempt: options.onAttempt,
    onStart: options.onStart,
    onHeld: options.onHeld,
    onQueued: options.onQueued,
    onWarning: options.onWarning,
  };
}
