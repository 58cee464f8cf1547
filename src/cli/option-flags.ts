/**
 * The one table where library option names meet the flags a user types. The library names options
 * by their `TrawlOptions` path in its errors (`timeoutMs must be an integer >= 1, got \`NaN\``);
 * the CLI says it as the user wrote it (`--timeout must be a duration such as 250ms, 10s or 2m,
 * got \`soon\``). Validation itself happens once, in the library.
 */
import { UsageError } from "../errors.js";

const DURATION = "a duration such as 250ms, 10s or 2m";

interface FlagName {
  flag: string;
  /** What the flag's text must look like, when it differs from the option's value (a duration, not ms). */
  expected?: string;
}

const FLAGS: Record<string, FlagName> = {
  concurrency: { flag: "--concurrency" },
  perHostConcurrency: { flag: "--per-host" },
  ratePerSecond: { flag: "--rate", expected: "a number of requests per host, such as 10/s or 30/m" },
  timeoutMs: { flag: "--timeout", expected: DURATION },
  retries: { flag: "--retries" },
  retryDelayMs: { flag: "--retry-delay", expected: DURATION },
  maxRedirects: { flag: "--max-redirects" },
  maxBytes: { flag: "--max-bytes", expected: "a size such as 512kb or 10mb" },
  headers: { flag: "--header", expected: 'like "Name: value" with a valid name and value' },
  userAgent: { flag: "--user-agent" },
  proxy: { flag: "--proxy" },
  cookies: { flag: "--no-cookies" },
  cookieFile: { flag: "--cookies" },
  select: { flag: "--select" },
  each: { flag: "--each" },
  follow: { flag: "--follow" },
  recipe: { flag: "--recipe" },
  shard: { flag: "--shard", expected: "k/n with 1 <= k <= n, such as 2/5" },
  saveDir: { flag: "--save" },
  cache: { flag: "--cache" },
  cacheMaxAgeMs: { flag: "--cache-max-age", expected: "a duration such as 12h or 30d" },
  sitemaps: { flag: "--sitemap" },
  "crawl.depth": { flag: "--depth" },
  "crawl.scope": { flag: "--scope" },
  "crawl.include": { flag: "--include" },
  "crawl.exclude": { flag: "--exclude" },
  "crawl.maxPages": { flag: "--max-pages" },
  frontier: { flag: "--frontier" },
  "frontier.job": { flag: "--job", expected: "a name of 1 to 128 letters, digits, '.', '_' or '-'" },
  job: { flag: "--job" },
  "frontier.leaseMs": { flag: "--lease", expected: "a duration of at least 1s, such as 30s or 2m" },
  export: { flag: "--export" },
  checkLinks: { flag: "--check-links" },
  checkFragments: { flag: "--check-fragments" },
  accept: { flag: "--accept", expected: "a list of statuses and ranges (100-599) such as 200-299,403,429" },
};

/** The flag for an option path: `timeoutMs` → `--timeout`, `select.price` → `--select price`. */
export function flagOf(option: string): string {
  const known = FLAGS[option];
  if (known) return known.flag;
  const dot = option.indexOf(".");
  const head = dot === -1 ? undefined : FLAGS[option.slice(0, dot)];
  return head ? `${head.flag} ${option.slice(dot + 1)}` : option;
}

/**
 * A library UsageError said as the CLI user sees it: the flag instead of the option, the flag's own
 * expectation, and the text the user typed (`raw`, by option) instead of the value it became.
 */
export function toCliError(error: UsageError, raw: ReadonlyMap<string, string> = new Map()): UsageError {
  const option = error.option;
  if (option === undefined) return error;
  const flag = flagOf(option);
  if (error.expected === undefined) {
    const message = error.message.startsWith(option) ? `${flag}${error.message.slice(option.length)}` : error.message;
    // Another option named in the text, in backquotes (`cache`), is said as its flag too.
    return new UsageError(message.replace(/`([A-Za-z.]+)`/g, (quoted, name: string) => FLAGS[name]?.flag ?? quoted));
  }
  const expected = FLAGS[option]?.expected ?? error.expected;
  const given = raw.get(option) ?? error.got;
  const detail = error.detail === undefined ? "" : ` (${error.detail})`;
  return new UsageError(`${flag} must be ${expected}, got \`${given}\`${detail}`);
}
