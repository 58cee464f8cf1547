import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { ClientClosedError, createClient, ErrorReply } from "@redis/client";
import { UsageError } from "../../errors.js";

/** How a link to Redis is opened and how long it rides out an outage. */
export interface RedisLinkOptions {
  /** `redis://[user:password@]host:port/db` or `rediss://…` (TLS). */
  url: string;
  /** Limit for the first connection; a Redis not reached by then is a UsageError. @default 5000 */
  connectTimeoutMs?: number;
  /**
   * How long one operation keeps retrying while Redis is unreachable or loading its data after a
   * restart, before it fails with RedisUnavailableError. @default 120000
   */
  outageMs?: number;
}

/**
 * Redis stayed unreachable for longer than `outageMs` in the middle of a run. A UsageError about
 * the `frontier` option, as an unreachable Redis at the start is: the CLI says it in one line.
 */
export class RedisUnavailableError extends UsageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message.replace(/\s+/g, " "), { option: "frontier" });
    this.name = "RedisUnavailableError";
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** A Lua script, sent by its SHA1 (EVALSHA) and by its text only when the server lacks it. */
export class LuaScript {
  readonly sha1: string;
  constructor(readonly source: string) {
    this.sha1 = createHash("sha1").update(source).digest("hex");
  }
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.href;
  } catch {
    return url;
  }
}

function checkUrl(url: string): void {
  let protocol = "";
  try {
    protocol = new URL(url).protocol;
  } catch {
    // Not a URL at all: refused below like a wrong scheme.
  }
  if (protocol !== "redis:" && protocol !== "rediss:") {
    throw new UsageError(`frontier must be a redis:// or rediss:// URL, got \`${redactUrl(url)}\``, { option: "frontier" });
  }
}

// Server replies that mean "not now" rather than "no": a restarted server loading its
// append-only file, a busy script, a replica being promoted.
const TRANSIENT_REPLIES = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|READONLY|CLUSTERDOWN)\b/;

/** True for failures worth waiting out: the connection, or a transient server state. */
function isTransient(error: unknown): boolean {
  if (error instanceof ErrorReply) return TRANSIENT_REPLIES.test(error.message);
  return !(error instanceof ClientClosedError);
}

/** The part of node-redis's client this link uses. */
interface Client {
  sendCommand<T>(args: readonly string[]): Promise<T>;
  close(): Promise<void>;
  destroy(): void;
}

const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 1000;

/**
 * One connection to Redis (commands pipeline over it), that waits out outages: a command that
 * fails because Redis went away is sent again once it is back, until `outageMs` has passed. Every
 * step of the shared frontier is written so that sending it twice does no harm.
 */
export class RedisLink {
  private closed = false;

  private constructor(
    private readonly client: Client,
    readonly url: string,
    private readonly outageMs: number,
  ) {}

  /** Connects, or throws a UsageError naming the URL when Redis cannot be reached. */
  static async connect(options: RedisLinkOptions): Promise<RedisLink> {
    checkUrl(options.url);
    let ready = false;
    const client = createClient({
      url: options.url,
      RESP: 2,
      // Fail fast while reconnecting: `call` decides how long to wait, not a queue without limit.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: options.connectTimeoutMs ?? 5000,
        // The first connection is not retried (a wrong URL should fail at once); later ones are.
        reconnectStrategy: (retries, cause) =>
          ready ? Math.min(FIRST_RETRY_MS * 2 ** retries, MAX_RETRY_MS) : new Error(cause.message || cause.name),
      },
    });
    // Without a listener a disconnection would throw; `call` sees every failure that matters.
    client.on("error", () => {});
    client.on("ready", () => {
      ready = true;
    });
    const url = redactUrl(options.url);
    try {
      await client.connect();
    } catch (error) {
      client.destroy();
      const reason = error instanceof Error ? error.message : String(error);
      throw new UsageError(`cannot reach Redis at ${url}: ${reason.replace(/\s+/g, " ")}`, { option: "frontier" });
    }
    return new RedisLink(client, url, options.outageMs ?? 120_000);
  }

  /** Sends one command, retrying it through an outage. */
  async call<T>(args: readonly (string | number)[]): Promise<T> {
    const strings = args.map(String);
    return this.retrying(() => this.client.sendCommand<T>(strings));
  }

  /** Runs a script by EVALSHA, falling back to EVAL (which also caches it) on NOSCRIPT. */
  async run<T>(script: LuaScript, keys: readonly string[], args: readonly (string | number)[] = []): Promise<T> {
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    return this.retrying(async () => {
      try {
        return await this.client.sendCommand<T>(["EVALSHA", script.sha1, ...tail]);
      } catch (error) {
        // A restarted server has an empty script cache.
        if (!(error instanceof ErrorReply) || !error.message.startsWith("NOSCRIPT")) throw error;
        return await this.client.sendCommand<T>(["EVAL", script.source, ...tail]);
      }
    });
  }

  private async retrying<T>(send: () => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        if (this.closed || !isTransient(error)) throw error;
        if (Date.now() - started >= this.outageMs) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new RedisUnavailableError(`Redis at ${this.url} unavailable for ${Math.round(this.outageMs / 1000)} s: ${reason}`, {
            cause: error,
          });
        }
        await sleep(Math.min(FIRST_RETRY_MS * 2 ** attempt, MAX_RETRY_MS));
      }
    }
  }

  /** Closes the connection (pending replies are awaited first). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.client.close();
    } catch {
      this.client.destroy();
    }
  }
}
