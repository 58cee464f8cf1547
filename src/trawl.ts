import { setMaxListeners } from "node:events";
import { TrawlError } from "./errors.js";
import { createExtractor, type Extractor } from "./extractor.js";
import { HashSet64 } from "./hash-set.js";
import { createDispatcher } from "./http/agent.js";
import { isHtml } from "./http/charset.js";
import type { FetchSettings } from "./http/fetch-page.js";
import { type FetchOutcome, fetchWithRetry, type RetrySettings } from "./http/fetch-with-retry.js";
import { type InputUrl, normalizeUrl } from "./normalize-url.js";
import { resolveOptions, type TrawlOptions } from "./options.js";
import { mapPool } from "./pool.js";
import { saveBody } from "./save.js";
import { inShard, type Shard } from "./shard.js";
import type { TrawlRecord } from "./record.js";

/** Judges each input line, keeps this shard's share, and drops URLs seen before (by hash), lazily. */
async function* judgeInput(
  urls: AsyncIterable<string> | Iterable<string>,
  dedupe: boolean,
  shard: Shard | undefined,
): AsyncGenerator<InputUrl> {
  const seen = dedupe ? new HashSet64() : null;
  for await (const line of urls) {
    const judged = normalizeUrl(String(line).trim());
    // A line that is not a URL is sharded by its text, so exactly one job reports it.
    if (shard && !inShard(judged.ok ? judged.url : judged.line, shard)) continue;
    if (judged.ok && seen && !seen.add(judged.url)) continue;
    yield judged;
  }
}

function invalidRecord(input: { line: string; reason: string }): TrawlRecord {
  return {
    url: input.line,
    finalUrl: null,
    status: null,
    ok: false,
    attempts: 0,
    ms: 0,
    bytes: 0,
    contentType: null,
    title: null,
    data: {},
    error: { code: "EINVALIDURL", message: input.reason },
  };
}

/** Builds the record of a fetched URL: extraction for HTML bodies (any status), then the verdict. */
async function fetchedRecord(
  url: string,
  outcome: FetchOutcome,
  started: number,
  extractor: Extractor,
  saveDir: string | undefined,
): Promise<TrawlRecord> {
  let title: string | null = null;
  let data: TrawlRecord["data"] = {};
  const body = outcome.body;
  const bytes = body?.length ?? 0;
  // Saved before extraction, which may hand the bytes over to a parse thread.
  const file = body && saveDir !== undefined ? await saveBody(saveDir, url, outcome.contentType, body) : undefined;
  if (body && isHtml(outcome.contentType, body)) {
    ({ title, data } = await extractor.extract(body, outcome.contentType, outcome.finalUrl));
  }
  const status = outcome.status;
  let error = outcome.error;
  if (!error && status !== null && (status < 200 || status > 299)) {
    error = new TrawlError("EHTTP", `HTTP ${status}`);
  }
  return {
    url,
    finalUrl: outcome.finalUrl,
    status,
    ok: error === null,
    attempts: outcome.attempts,
    ms: Math.round(performance.now() - started),
    bytes,
    contentType: outcome.contentType,
    title,
    data,
    ...(file === undefined ? {} : { file }),
    error: error && { code: error.code, message: error.message },
  };
}

/** The key a URL is rate- and concurrency-limited under: its host and port. */
function hostKey(input: InputUrl): string {
  if (!input.ok) return "";
  const start = input.url.indexOf("//") + 2;
  const end = input.url.indexOf("/", start);
  return input.url.slice(start, end === -1 ? undefined : end);
}

/**
 * Fetches every URL of `urls` through a bounded pool and yields one record per input URL as it
 * finishes (or in input order with `ordered`). Per-URL failures are records, never exceptions;
 * only bad options (a `UsageError`) or bugs throw. Breaking out of the loop aborts what is in flight.
 */
export async function* trawl(
  urls: AsyncIterable<string> | Iterable<string>,
  options: TrawlOptions = {},
): AsyncGenerator<TrawlRecord, void, undefined> {
  const resolved = resolveOptions(options);
  const extractor = await createExtractor(resolved.select);
  // One signal for the run: the caller's, or ours when the consumer stops early.
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(resolved.signal?.reason);
  if (resolved.signal?.aborted) onCallerAbort();
  resolved.signal?.addEventListener("abort", onCallerAbort, { once: true });
  const runSignal = controller.signal;
  // Every in-flight attempt listens to the run signal: that is by design, not a leak.
  setMaxListeners(0, runSignal);

  const dispatcher = createDispatcher(resolved);
  const headers: Record<string, string> = {
    "user-agent": resolved.userAgent,
    accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "accept-encoding": "gzip, deflate, br",
  };
  for (const [name, value] of Object.entries(resolved.headers)) headers[name.toLowerCase()] = value;
  const fetchSettings: FetchSettings = {
    dispatcher,
    headers,
    timeoutMs: resolved.timeoutMs,
    maxRedirects: resolved.maxRedirects,
    maxBytes: resolved.maxBytes,
  };
  const retrySettings: RetrySettings = {
    retries: resolved.retries,
    retryDelayMs: resolved.retryDelayMs,
    onAttempt: resolved.onAttempt,
  };

  // After an abort, URLs still queued in the pool were never started: they get no record, like
  // the URLs never read from the input (only what was in flight ends as EABORTED).
  const work = async (input: InputUrl): Promise<TrawlRecord | null> => {
    if (runSignal.aborted) return null;
    if (!input.ok) return invalidRecord(input);
    resolved.onStart?.(input.url);
    const started = performance.now();
    const outcome = await fetchWithRetry(input.url, fetchSettings, retrySettings, runSignal);
    return fetchedRecord(input.url, outcome, started, extractor, resolved.saveDir);
  };

  try {
    const records = mapPool(judgeInput(urls, resolved.dedupe, resolved.shard), work, {
      concurrency: resolved.concurrency,
      perKeyConcurrency: resolved.perHostConcurrency,
      keyOf: hostKey,
      ordered: resolved.ordered,
      window: resolved.concurrency * 2 + 64,
      signal: runSignal,
    });
    for await (const record of records) if (record !== null) yield record;
  } finally {
    resolved.signal?.removeEventListener("abort", onCallerAbort);
    const stoppedEarly = !runSignal.aborted;
    controller.abort();
    // Nothing is left in flight on a normal end; after an abort, sockets are torn down at once.
    await (stoppedEarly ? dispatcher.close() : dispatcher.destroy()).catch(() => undefined);
    await extractor.close();
  }
}
