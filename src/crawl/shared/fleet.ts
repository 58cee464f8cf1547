/**
 * A run's place in a fleet (SPEC §11): the worker joins its job in Redis, and hands the run a
 * `Crawl` over the job's queue and the politeness hooks of the fleet (host slots, robots.txt).
 * trawl() loads this module only when `frontier` is given.
 */
import { TrawlError } from "../../errors.js";
import type { ExtractionPlan } from "../../extract/plan.js";
import type { FetchOutcome } from "../../http/fetch-with-retry.js";
import type { FleetPoliteness } from "../../politeness/index.js";
import type { InputUrl } from "../../urls/normalize.js";
import type { CrawlSettings } from "../frontier.js";
import { type Crawl, type CrawlKinds, loadLinkReader } from "../start.js";
import type { JsonValue } from "./queue-entry.js";
import { SharedCrawl } from "./shared-crawl.js";
import { SharedFrontier } from "./shared-frontier.js";

/** What joining a fleet needs (a subset of the resolved options, named as they are). */
export interface FleetSettings {
  frontier: { url: string; job: string; leaseMs: number };
  crawl: CrawlSettings;
  /** What each kind of page extracts and follows (one plan without a recipe). */
  plans: ExtractionPlan[];
  kinds: CrawlKinds;
  robots: boolean;
  concurrency: number;
  /** A response cache is on: a page's links are read at the depth limit too, for the cache to keep. */
  readEveryPage: boolean;
}

export interface Fleet {
  politeness: FleetPoliteness;
  /** The run's crawl: claims from the job's queue; `input` is offered to the job as it runs dry. */
  crawl(input: AsyncIterable<InputUrl>): Crawl;
  /** Leaves the job: unfinished claims and host slots go back at once. */
  close(): Promise<void>;
}

/**
 * What shapes the job's records: every worker of a job must bring the same (a second one with
 * another scope or selectors is refused, naming the keys that differ). Patterns become their text;
 * the page limit is the job's own setting.
 */
export function jobConfig(settings: Pick<FleetSettings, "crawl" | "plans" | "kinds" | "robots">): { [key: string]: JsonValue } {
  // The journal is one worker's file, not the job's.
  const { maxPages: _limit, journal: _journal, ...crawl } = settings.crawl;
  const extraction = settings.kinds === null ? { select: settings.plans[0] } : { recipe: { kinds: settings.kinds, plans: settings.plans } };
  const text = JSON.stringify({ crawl, ...extraction, robots: settings.robots }, (_key, value: unknown) =>
    value instanceof RegExp ? String(value) : value,
  );
  return JSON.parse(text) as { [key: string]: JsonValue };
}

/** A robots.txt outcome as stored for the fleet: its status, where it landed and its bytes. */
interface StoredRobots {
  status: number | null;
  finalUrl: string;
  contentType: string | null;
  body: string | null;
}

function storeRobots(outcome: FetchOutcome): string {
  // A robots.txt fetch cut short by this run's end says nothing about the site: not for the fleet.
  if (outcome.error?.code === "EABORTED") throw outcome.error;
  const { status, finalUrl, contentType, body } = outcome;
  const stored: StoredRobots = { status, finalUrl, contentType, body: body ? body.toString("base64") : null };
  return JSON.stringify(stored);
}

function storedOutcome(text: string): FetchOutcome {
  const { status, finalUrl, contentType, body } = JSON.parse(text) as StoredRobots;
  return {
    status,
    finalUrl,
    contentType,
    body: body === null ? null : Buffer.from(body, "base64"),
    error: null,
    retryAfterMs: null,
    attempts: 0,
    responseHeaders: null,
    requestHeaders: null,
  };
}

function abortedOutcome(url: string): FetchOutcome {
  const error = new TrawlError("EABORTED", "the run was aborted");
  return {
    status: null,
    finalUrl: url,
    contentType: null,
    body: null,
    error,
    retryAfterMs: null,
    attempts: 0,
    responseHeaders: null,
    requestHeaders: null,
  };
}

/**
 * Joins the job (creating it if need be). Throws a UsageError when Redis cannot be reached or the
 * job exists with another configuration or page limit: before anything is fetched.
 */
export async function joinFleet(settings: FleetSettings, signal: AbortSignal): Promise<Fleet> {
  const { url, job, leaseMs } = settings.frontier;
  const { maxPages } = settings.crawl;
  const [frontier, readLinks] = await Promise.all([
    SharedFrontier.open({
      url,
      job,
      leaseMs,
      config: jobConfig(settings),
      ...(Number.isFinite(maxPages) ? { maxPages } : {}),
    }),
    loadLinkReader(settings.crawl, settings.readEveryPage),
  ]);
  const politeness: FleetPoliteness = {
    acquireHost: (host, options) => frontier.acquireHost(host, options),
    async robots(robotsUrl, fetchRobots) {
      try {
        const text = await frontier.robots(new URL(robotsUrl).origin, async () => storeRobots(await fetchRobots(robotsUrl)), { signal });
        return storedOutcome(text);
      } catch (error) {
        if (signal.aborted) return abortedOutcome(robotsUrl);
        throw error;
      }
    },
  };
  return {
    politeness,
    // Up to half again as many claims as requests in flight, 8 at most: the next pages are at hand
    // when one ends (claims come in batches), and no worker hoards the queue while others wait.
    crawl: (input) =>
      new SharedCrawl(frontier, input, {
        crawl: settings.crawl,
        readLinks,
        kinds: settings.kinds,
        signal,
        maxHeld: settings.concurrency + Math.min(8, Math.ceil(settings.concurrency / 2)),
      }),
    close: () => frontier.close(),
  };
}
