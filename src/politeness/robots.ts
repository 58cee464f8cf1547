import robotsParserModule from "robots-parser";
import { decodeText } from "../extract/charset.js";
import type { FetchOutcome } from "../http/fetch-with-retry.js";
import { MAX_CRAWL_DELAY_SECONDS, ROBOTS_MAX_ORIGINS } from "../limits.js";

/** What robots.txt says about one URL. */
export interface RobotsVerdict {
  allowed: boolean;
}

type Rules = { isAllowed(url: string, ua?: string): boolean | undefined; getCrawlDelay(ua?: string): number | undefined };

// robots-parser is CommonJS whose module.exports is the function; its typings say otherwise.
const robotsParser = robotsParserModule as unknown as (url: string, contents: string) => Rules;

const ALLOW_ALL: Rules = { isAllowed: () => true, getCrawlDelay: () => undefined };
const DISALLOW_ALL: Rules = { isAllowed: () => false, getCrawlDelay: () => undefined };

/**
 * `--robots`: robots.txt is fetched once per origin (concurrent URLs of one origin share the one
 * fetch) and read with robots-parser, by the rules of RFC 9309 §2.3.1: a 2xx file is obeyed; 4xx
 * means no rules (allow all); a 5xx or a network failure, after the usual retries, means the site
 * is unreachable, so nothing of it is fetched. `Crawl-delay` becomes that host's pacing.
 */
export class RobotsCache {
  private readonly origins = new Map<string, Promise<Rules>>();
  private readonly delays = new Map<string, number>();

  constructor(
    private readonly fetchRobots: (url: string) => Promise<FetchOutcome>,
    private readonly userAgent: string,
  ) {}

  private rulesFor(origin: string): Promise<Rules> {
    let rules = this.origins.get(origin);
    if (!rules) {
      rules = this.load(origin);
      this.origins.set(origin, rules);
      if (this.origins.size > ROBOTS_MAX_ORIGINS) {
        const oldest = this.origins.keys().next().value as string;
        this.origins.delete(oldest);
      }
    }
    return rules;
  }

  private async load(origin: string): Promise<Rules> {
    const url = `${origin}/robots.txt`;
    const outcome = await this.fetchRobots(url);
    const status = outcome.status;
    let rules: Rules;
    if (outcome.error?.code === "EABORTED") return ALLOW_ALL; // the run is ending; nothing more is fetched
    if (status !== null && status >= 200 && status < 300 && outcome.body) {
      rules = robotsParser(outcome.finalUrl, decodeText(outcome.body, outcome.contentType));
    } else if (status !== null && status >= 400 && status < 500) {
      rules = ALLOW_ALL;
    } else {
      rules = DISALLOW_ALL;
    }
    const delaySeconds = rules.getCrawlDelay(this.userAgent);
    if (delaySeconds !== undefined && delaySeconds > 0) {
      this.delays.set(new URL(origin).host, Math.min(delaySeconds, MAX_CRAWL_DELAY_SECONDS) * 1000);
    }
    return rules;
  }

  /** Whether robots.txt lets `url` be fetched (fetching robots.txt first if need be). */
  async check(url: string): Promise<RobotsVerdict> {
    const rules = await this.rulesFor(new URL(url).origin);
    return { allowed: rules.isAllowed(url, this.userAgent) !== false };
  }

  /** The `Crawl-delay` of a host (`host[:port]`) in ms, once its robots.txt has been read. */
  crawlDelayMs(host: string): number | null {
    return this.delays.get(host) ?? null;
  }
}
