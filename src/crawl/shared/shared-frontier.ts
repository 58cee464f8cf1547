import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { fleetRobots, type RobotsOptions } from "./fleet-robots.js";
import { type FrontierSettings, resolveFrontierOptions, type SharedFrontierOptions } from "./frontier-options.js";
import { FleetHosts, type HostSlot, type HostSlotOptions } from "./host-slots.js";
import { checkSameSettings, type JobSettings } from "./job-config.js";
import type { JobKeys } from "./job-keys.js";
import { type FrontierStatus, readJobState } from "./job-status.js";
import { type Claim, decodeEntry, encodeEntry, type QueueEntry } from "./queue-entry.js";
import { CLAIM, COMMIT, MARK_SEEN, OFFER, OPEN_JOB, RELEASE, RENEW } from "./queue-scripts.js";
import { RedisLink } from "./redis-link.js";
import { RenewalTimer } from "./renewal-timer.js";

/** A page's record, as committed. */
export interface CommitRecord {
  /** The record as one line of JSON (no newline). */
  json: string;
  /** The record's `ok`: a record that is not ok counts as failed. */
  ok: boolean;
}

// Entries per script call: each call runs alone on the server, so keep each one short.
const OFFER_BATCH = 500;
// Expired claims taken back per claim step; the next step takes more.
const RECLAIM_LIMIT = 1000;
// How long close() tries to give claims back before leaving them to expire.
const CLOSE_RELEASE_MS = 5000;

/**
 * One worker's handle on a crawl shared through Redis (SPEC §11): one seen-set, one queue of
 * leased claims, counts, a record stream, and fleet-wide host slots and robots.txt. Open it with
 * `SharedFrontier.open()`; the worker's claims and slots are renewed on a timer until `close()`.
 */
export class SharedFrontier {
  private readonly held = new Map<number, Claim>();
  private readonly keys: JobKeys;
  private readonly maxPages: number | null;
  private readonly hosts: FleetHosts;
  private readonly renewal: RenewalTimer;
  readonly job: string;
  readonly workerId: string;
  readonly leaseMs: number;

  private constructor(
    private readonly link: RedisLink,
    private readonly settings: FrontierSettings,
    private readonly epoch: string,
    stored: JobSettings,
  ) {
    this.job = settings.job;
    this.keys = settings.keys;
    this.workerId = settings.workerId;
    this.leaseMs = settings.leaseMs;
    this.maxPages = stored.maxPages;
    this.hosts = new FleetHosts(link, this.keys, this.workerId, this.leaseMs);
    this.renewal = new RenewalTimer(() => this.renew(), Math.max(1, Math.floor(this.leaseMs / 3)));
  }

  /**
   * Connects and joins the job, creating it if it does not exist. Throws a UsageError when an
   * option is invalid, when Redis cannot be reached, or when the job exists with another config
   * or page limit.
   */
  static async open(options: SharedFrontierOptions): Promise<SharedFrontier> {
    const settings = resolveFrontierOptions(options);
    const { keys, given } = settings;
    const link = await RedisLink.connect(options);
    try {
      const [storedText, epoch] = await link.run<[string, string]>(
        OPEN_JOB,
        [keys.config, keys.epoch],
        [JSON.stringify(given), randomBytes(8).toString("hex")],
      );
      const stored = JSON.parse(storedText) as JobSettings;
      checkSameSettings(settings.job, stored, given);
      const frontier = new SharedFrontier(link, settings, epoch, stored);
      await frontier.renew();
      frontier.renewal.start();
      return frontier;
    } catch (error) {
      await link.close();
      throw error;
    }
  }

  /** Seen-set keys and (member, entry) arguments for entries, in the order scripts read them. */
  private newEntryArgs(entries: readonly QueueEntry[]): { buckets: string[]; pairs: string[] } {
    const buckets: string[] = [];
    const pairs: string[] = [];
    for (const entry of entries) {
      const { key, member } = this.keys.seen(entry.url);
      buckets.push(key);
      pairs.push(member, encodeEntry(entry));
    }
    return { buckets, pairs };
  }

  /**
   * Queues the entries whose URL the job has not seen (input URLs; anything not from a claim).
   * Returns how many were queued. Offering the same URLs twice, from any worker, queues them once.
   */
  async offer(entries: readonly QueueEntry[]): Promise<number> {
    let added = 0;
    for (let start = 0; start < entries.length; start += OFFER_BATCH) {
      const { buckets, pairs } = this.newEntryArgs(entries.slice(start, start + OFFER_BATCH));
      const result = await this.link.run<number>(
        OFFER,
        [this.keys.epoch, this.keys.queue, this.keys.counts, ...buckets],
        [this.epoch, this.maxPages ?? "", ...pairs],
      );
      if (result < 0) break;
      added += result;
    }
    return added;
  }

  /**
   * Leases up to `count` entries to this worker for `leaseMs` (renewed until committed, released
   * or closed). Expired claims of any worker go back to the queue first. Returns [] when the queue
   * is empty or the job is gone.
   */
  async claim(count: number): Promise<Claim[]> {
    if (count < 1) return [];
    const keys = this.keys;
    const reply = await this.link.run<(string | number)[] | null>(
      CLAIM,
      [keys.epoch, keys.queue, keys.leased, keys.leases, keys.token, keys.counts],
      [this.epoch, count, this.leaseMs, RECLAIM_LIMIT],
    );
    const claims: Claim[] = [];
    for (let i = 0; reply && i < reply.length; i += 2) {
      const claim: Claim = { token: Number(reply[i]), entry: decodeEntry(String(reply[i + 1])) };
      this.held.set(claim.token, claim);
      claims.push(claim);
    }
    return claims;
  }

  /**
   * In one atomic step, if `claim` is still this worker's: appends the record to the job's stream,
   * queues the links the job has not seen, releases the claim and counts it. Returns false, with
   * nothing written, when the claim was lost (it expired and went back to the queue).
   */
  async commit(claim: Claim, record: CommitRecord, links: readonly QueueEntry[] = []): Promise<boolean> {
    if (record.json.includes("\n")) throw new TypeError("a committed record must be one line of JSON");
    const keys = this.keys;
    const { buckets, pairs } = this.newEntryArgs(links);
    const [state] = await this.link.run<[number, number]>(
      COMMIT,
      [keys.epoch, keys.queue, keys.leased, keys.leases, keys.counts, keys.records, keys.committed(claim.token), ...buckets],
      [this.epoch, claim.token, record.json, record.ok ? "1" : "0", this.settings.markerMs, this.maxPages ?? "", ...pairs],
    );
    this.held.delete(claim.token);
    return state !== 0;
  }

  /**
   * Marks URLs as seen by the job without queueing them: the final URL of a redirected page, so
   * that links to it do not fetch it again. Returns how many were new.
   */
  async markSeen(urls: readonly string[]): Promise<number> {
    if (urls.length === 0) return 0;
    const seen = urls.map((url) => this.keys.seen(url));
    return this.link.run<number>(
      MARK_SEEN,
      [this.keys.epoch, ...seen.map(({ key }) => key)],
      [this.epoch, ...seen.map(({ member }) => member)],
    );
  }

  /** Gives an unfinished claim back to the head of the queue. False when it was not held. */
  async release(claim: Claim): Promise<boolean> {
    this.held.delete(claim.token);
    const keys = this.keys;
    const released = await this.link.run<number>(RELEASE, [keys.epoch, keys.queue, keys.leased, keys.leases], [this.epoch, claim.token]);
    return released === 1;
  }

  /**
   * The heartbeat: renews every claim and host slot this worker holds and marks it live. Runs on
   * its own timer every third of the lease; a claim found lost is forgotten (its commit would fail).
   */
  async renew(): Promise<void> {
    const tokens = [...this.held.keys()];
    const keys = this.keys;
    const [held] = await Promise.all([
      this.link.run<number[] | null>(
        RENEW,
        [keys.epoch, keys.leases, keys.workers],
        [this.epoch, this.leaseMs, this.workerId, this.leaseMs, ...tokens],
      ),
      this.hosts.renew(),
    ]);
    tokens.forEach((token, i) => {
      if (!held || held[i] === 0) this.held.delete(token);
    });
  }

  /** The job's counts. */
  async status(): Promise<FrontierStatus> {
    return (await readJobState(this.link, this.keys)).status;
  }

  /** True once nothing is queued or claimed (after something was), or when the job is gone. */
  async isDone(): Promise<boolean> {
    const { status, epoch } = await readJobState(this.link, this.keys);
    return epoch !== this.epoch || status.done;
  }

  /**
   * Waits until a claim may find work ("work"), the crawl is over ("done"), or `signal` aborts
   * ("aborted"). It looks at the job with growing pauses up to `maxPollMs`, shorter when a lease
   * is about to expire, so idle workers cost Redis about one small script per second each.
   */
  async waitForWork(options: { signal?: AbortSignal } = {}): Promise<"work" | "done" | "aborted"> {
    const { signal } = options;
    for (let pauseMs = 20; ; pauseMs = Math.min(pauseMs * 2, this.settings.maxPollMs)) {
      if (signal?.aborted) return "aborted";
      const { status, epoch, nextExpiryMs } = await readJobState(this.link, this.keys);
      if (epoch !== this.epoch || status.done) return "done";
      if (status.queued > 0 || nextExpiryMs === 0) return "work";
      const wait = nextExpiryMs > 0 ? Math.min(pauseMs, nextExpiryMs) : pauseMs;
      try {
        await sleep(wait, undefined, signal ? { signal } : {});
      } catch {
        return "aborted";
      }
    }
  }

  /**
   * The claims to work on, one at a time, until the crawl is over or `signal` aborts: claims
   * `batchSize` at a time, and waits (`waitForWork`) while the queue is empty but pages are still
   * in flight somewhere. Each claim must end in `commit` or `release`.
   */
  async *claims(options: { batchSize?: number; signal?: AbortSignal } = {}): AsyncGenerator<Claim> {
    const { signal } = options;
    while (!signal?.aborted) {
      const batch = await this.claim(options.batchSize ?? 1);
      if (batch.length > 0) yield* batch;
      else if ((await this.waitForWork(signal ? { signal } : {})) !== "work") return;
    }
  }

  /**
   * Waits for a slot on `host` shared by the fleet (at most `maxConcurrent` requests in flight to
   * it, starts `intervalMs` apart), and resolves once this worker may start its request; null when
   * `signal` aborts first. Release the slot when the request is over. Slots are renewed with the
   * claims; a dead worker's slot frees itself after `leaseMs`.
   */
  acquireHost(host: string, options: HostSlotOptions): Promise<HostSlot | null> {
    return this.hosts.acquire(host, options);
  }

  /** robots.txt of `origin`, fetched once for the whole fleet with `fetchText`, kept in Redis. */
  robots(origin: string, fetchText: () => Promise<string>, options?: RobotsOptions): Promise<string> {
    return fleetRobots(this.link, this.keys, this.epoch, origin, fetchText, options);
  }

  /**
   * Leaves the job: gives back the claims and host slots still held (a stopped run's unfinished
   * pages go to other workers at once), marks the worker no longer live, stops the renewal and
   * closes the connection. `release: false` leaves them to expire, as a killed worker would.
   */
  async close(options: { release?: boolean } = {}): Promise<void> {
    const ending = this.renewal.stop();
    if (options.release ?? true) {
      const releasing = Promise.all([
        ...[...this.held.values()].map((claim) => this.release(claim)),
        this.hosts.releaseAll(),
        // Live until time 0: counted as seen, not as live (XX: never recreates a removed job's key).
        this.link.call(["ZADD", this.keys.workers, "XX", 0, this.workerId]),
      ]);
      // Redis may be away: what is not given back in time expires by itself. Closing the link
      // below ends the releases still retrying.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_RELEASE_MS);
      });
      await Promise.race([releasing.catch(() => {}), timeout]);
      clearTimeout(timer);
    }
    await this.link.close();
    await ending;
  }
}
