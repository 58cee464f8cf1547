import type { Dispatcher } from "undici";
import type { CookiePolicy } from "./cookies.js";
import { type ErrorCode, messageOf, TrawlError, toErrorCode } from "../errors.js";
import { type BodyEvents, type BodySink, createBodySink } from "./body.js";
import type { Abortable, LiveAttempts } from "./live-attempts.js";
import type { RunDispatcher } from "./origin-dispatchers.js";
import { headerValue, isRedirect, locationOf, nextHop, type ResponseHeaders as Headers } from "./redirects.js";
import { parseRetryAfter } from "./retry.js";
import { REDIRECT_BODY_BYTES } from "../limits.js";

/** What one attempt needs; built once per run. */
export interface FetchSettings {
  dispatcher: RunDispatcher;
  /** Request headers, names lower-cased (user-agent, accept-encoding and the user's own). */
  headers: Record<string, string>;
  timeoutMs: number;
  maxRedirects: number;
  maxBytes: number;
  /** The run's attempts in flight: stopping the run aborts them. */
  live: LiveAttempts;
  /** The run's cookie jar, or null when cookies are off. */
  cookies: CookiePolicy | null;
  /** The request method; a HEAD's answer never has a body (RFC 9110 §9.3.2). @default "GET" */
  method?: "GET" | "HEAD";
  /**
   * Read the body, or (a function) read it when the answer's Content-Type says so. When not, the
   * status and headers are the answer: whatever body follows is drained (so the connection can be
   * reused) up to a small cap, then cut, and `body` is null. @default true
   */
  readBody?: boolean | ((contentType: string | null) => boolean);
}

/**
 * What a response cache adds to an attempt (SPEC §10), given only when a cache is in use: conditional
 * headers for the request to one URL of the redirect chain, and the last exchange's header fields
 * handed back in the result. Whether a 304 answers the cache is the caller's judgement, not ours.
 */
export interface ConditionalRequest {
  /** The URL whose request carries `headers` (the one that gave the stored response); null for none. */
  url: string | null;
  /** Added to the run's headers (overriding them) on the request to `url` only. */
  headers: Readonly<Record<string, string>>;
}

/** The outcome of one attempt, redirects included. Failures are values, never thrown. */
export interface AttemptResult {
  /** The last URL requested. */
  finalUrl: string;
  /** Status of the last response, or null when none arrived. */
  status: number | null;
  contentType: string | null;
  /** The decoded body, or null when it was not read whole (or not asked for: a HEAD, `readBody: false`). */
  body: Buffer | null;
  error: TrawlError | null;
  /** `Retry-After` of the last response in ms, or null. */
  retryAfterMs: number | null;
  /** With a `ConditionalRequest`: the last response's header fields; null without one, or when none arrived. */
  responseHeaders: Headers | null;
  /** With a `ConditionalRequest`: the header fields of the last request sent; null without one. */
  requestHeaders: Record<string, string> | null;
}

// The reason given to undici for an exchange cut after its attempt ended. Made once: an Error's
// stack trace costs more than the rest of an attempt's bookkeeping.
const ATTEMPT_ENDED = new TrawlError("EABORTED", "the attempt had ended");

/**
 * undici's dispatch wants the origin and the path apart. A WHATWG-serialised http(s) URL always
 * has a path starting with `/`, so a slice does it; credentials in the URL are dropped, as undici's
 * `request` drops them.
 */
function originAndPath(url: string): { origin: string; path: string } {
  const authority = url.indexOf("//") + 2;
  const slash = url.indexOf("/", authority);
  const end = slash === -1 ? url.length : slash;
  if (url.lastIndexOf("@", end) >= authority) {
    const parsed = new URL(url);
    return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
  }
  return { origin: url.slice(0, end), path: slash === -1 ? "/" : url.slice(slash) };
}

/**
 * One request and its response on the wire, as undici's dispatch handler. An attempt makes one per
 * hop of a redirect chain; once `close`d, whatever undici still reports of it is ignored.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private closed = false;
  private closedWith: Error = ATTEMPT_ENDED;

  constructor(private readonly attempt: Attempt) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // Closed while it waited for a connection: it is cut as soon as it gets one.
    if (this.closed) controller.abort(this.closedWith);
    else this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Headers): void {
    // 1xx interim responses (100 Continue, 103 Early Hints) are not the answer.
    if (!this.closed && statusCode >= 200) this.attempt.onResponse(this, statusCode, headers);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.closed) this.attempt.onData(this, chunk);
  }

  onResponseEnd(): void {
    if (this.closed) return;
    this.closed = true;
    this.attempt.onEnd(this);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.attempt.onError(this, error);
  }

  /** Stops the exchange (closing its connection if a response is still coming); idempotent. */
  close(reason: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.closedWith = reason;
    this.controller?.abort(reason);
  }
}

/**
 * One attempt at a URL: requests, redirects followed by hand, the body read and decoded, all under
 * one timer of `timeoutMs` (SPEC §2), and cut at once when the run stops. Settles exactly once.
 */
class Attempt implements Abortable, BodyEvents {
  private current: string;
  private headers: Record<string, string>;
  private redirects = 0;
  private exchange: Exchange | null = null;
  private sink: BodySink | null = null;
  /** Set while a redirect's body is drained: the Location to follow once it ends. */
  private redirectTo: string | null = null;
  private drained = 0;
  /** Set while the body of an answer whose body is not wanted is drained. */
  private discarding = false;
  private status: number | null = null;
  private contentType: string | null = null;
  private retryAfterMs: number | null = null;
  private during: "headers" | "body" = "headers";
  private timer: NodeJS.Timeout | undefined;
  private settled = false;
  // Kept only for a ConditionalRequest.
  private sentHeaders: Record<string, string> | null = null;
  private responseHeaders: Headers | null = null;

  constructor(
    url: string,
    private readonly settings: FetchSettings,
    private readonly resolve: (result: AttemptResult) => void,
    private readonly conditional: ConditionalRequest | undefined,
  ) {
    this.current = url;
    this.headers = settings.headers;
  }

  start(): void {
    if (this.settings.live.aborted) {
      this.failWithCode("EABORTED", "the run was aborted");
      return;
    }
    this.settings.live.add(this);
    // A plain timer, cleared when the attempt settles: no per-URL timer outlives its request.
    this.timer = setTimeout(timeOut, this.settings.timeoutMs, this);
    this.send();
  }

  abort(reason: TrawlError): void {
    this.failWithCode(reason.code, reason.message);
  }

  private send(): void {
    const cookies = this.settings.cookies;
    // The run's first cookie is still being stored (its library loads once): this request may need it.
    if (cookies?.loading) {
      cookies.loading.then(() => this.settled || this.send());
      return;
    }
    const exchange = new Exchange(this);
    this.exchange = exchange;
    this.status = null;
    this.contentType = null;
    this.during = "headers";
    this.discarding = false;
    const { origin, path } = originAndPath(this.current);
    // this.headers are the run's and the user's (credentials dropped past another origin); the jar adds its own per hop.
    let headers = cookies === null ? this.headers : cookies.headersFor(this.current, this.headers);
    if (this.conditional !== undefined) {
      if (this.conditional.url === this.current) headers = { ...headers, ...this.conditional.headers };
      this.sentHeaders = headers;
      this.responseHeaders = null;
    }
    try {
      this.settings.dispatcher.dispatch({ origin, path, method: this.settings.method ?? "GET", headers }, exchange);
    } catch (error) {
      this.onError(exchange, error as Error);
    }
  }

  onResponse(exchange: Exchange, status: number, headers: Headers): void {
    if (exchange !== this.exchange || this.settled) return;
    this.status = status;
    // Every answer's cookies count, a redirect's or an error page's too (a consent page that redirects).
    const setCookie = headers["set-cookie"];
    if (setCookie !== undefined) this.settings.cookies?.store(this.current, setCookie);
    this.contentType = headerValue(headers, "content-type");
    this.retryAfterMs = parseRetryAfter(headerValue(headers, "retry-after"));
    if (this.conditional !== undefined) this.responseHeaders = headers;
    // 304 Not Modified has no body, whatever length it declares (RFC 9110 §15.4.5): nothing to read.
    if (status === 304) {
      this.during = "body";
      return;
    }
    const location = locationOf(headers);
    if (isRedirect(status, location, this.settings.maxRedirects)) {
      this.redirectTo = location;
      this.drained = 0;
      return;
    }
    // A status-only answer: no sink, and no size check (a HEAD's Content-Length is the GET body's).
    const readBody = this.settings.readBody ?? true;
    if (this.settings.method === "HEAD" || !(typeof readBody === "function" ? readBody(this.contentType) : readBody)) {
      this.discarding = true;
      this.drained = 0;
      return;
    }
    const maxBytes = this.settings.maxBytes;
    const sink = createBodySink(headerValue(headers, "content-encoding"), maxBytes, this);
    // An unencoded body's declared length is its size: too large is known before any of it arrives.
    const declaredLength = Number(headerValue(headers, "content-length") ?? Number.NaN);
    if (!sink.decodes && declaredLength > maxBytes) {
      this.failWithCode("EBODYTOOLARGE", `body of ${declaredLength} bytes is larger than ${maxBytes}`);
      return;
    }
    this.during = "body";
    this.sink = sink;
  }

  onData(exchange: Exchange, chunk: Buffer): void {
    if (exchange !== this.exchange || this.settled) return;
    if (this.redirectTo !== null || this.discarding) {
      this.drained += chunk.length;
      // A redirect (or an unwanted body) that is large is not worth its connection: cut it and move on.
      if (this.drained > REDIRECT_BODY_BYTES) {
        exchange.close(ATTEMPT_ENDED);
        if (this.discarding) this.succeed(null);
        else this.follow();
      }
      return;
    }
    this.sink?.write(chunk);
  }

  onEnd(exchange: Exchange): void {
    if (exchange !== this.exchange || this.settled) return;
    if (this.redirectTo !== null) this.follow();
    else if (this.discarding) this.succeed(null);
    else if (this.sink) this.sink.end();
    else this.succeed(Buffer.alloc(0));
  }

  onError(exchange: Exchange, error: Error): void {
    if (exchange !== this.exchange || this.settled) return;
    // A redirect whose own body failed still says where to go; a status-only answer has been given.
    if (this.redirectTo !== null) this.follow();
    else if (this.discarding) this.succeed(null);
    else this.failWith(error);
  }

  // BodyEvents: what the body sink reports.
  done(body: Buffer): void {
    this.succeed(body);
  }

  fail(error: unknown): void {
    this.failWith(error);
  }

  timedOut(): void {
    this.failWithCode("ETIMEOUT", `no complete response within ${this.settings.timeoutMs} ms`);
  }

  private follow(): void {
    const hop = nextHop(this.redirectTo as string, this.current, this.redirects, this.settings.maxRedirects, this.headers);
    this.redirectTo = null;
    if (!hop.ok) {
      this.failWithCode(hop.code, hop.message);
      return;
    }
    this.headers = hop.headers;
    this.redirects++;
    this.current = hop.url;
    this.send();
  }

  private succeed(body: Buffer | null): void {
    this.settle({
      finalUrl: this.current,
      status: this.status,
      contentType: this.contentType,
      body,
      error: null,
      retryAfterMs: this.retryAfterMs,
      responseHeaders: this.responseHeaders,
      requestHeaders: this.sentHeaders,
    });
  }

  private failWith(error: unknown): void {
    if (error instanceof TrawlError) {
      this.failWithCode(error.code, error.message);
      return;
    }
    this.failWithCode(toErrorCode(error, this.during), messageOf(error));
  }

  private failWithCode(code: ErrorCode, message: string): void {
    this.settle({
      finalUrl: this.current,
      status: this.status,
      contentType: this.contentType,
      body: null,
      error: new TrawlError(code, message),
      retryAfterMs: this.retryAfterMs,
      responseHeaders: this.responseHeaders,
      requestHeaders: this.sentHeaders,
    });
  }

  private settle(result: AttemptResult): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.settings.live.delete(this);
    // Whatever is still coming is cut: its connection closes rather than carry a half-read body.
    this.exchange?.close(result.error ?? ATTEMPT_ENDED);
    this.sink?.destroy();
    this.resolve(result);
  }
}

// The timer callback, shared: no closure per attempt.
function timeOut(attempt: Attempt): void {
  attempt.timedOut();
}

/**
 * One attempt to fetch `url` whole: connect, follow redirects, read and decompress the body, all
 * under one timer of `timeoutMs` (SPEC §2), and stopped at once when the run stops. Built on
 * undici's dispatch handler rather than `request()`: no stream, promise or abort signal per hop.
 * `conditional` (a response cache's) adds headers to one hop and hands the last exchange's headers back.
 */
export function fetchPage(url: string, settings: FetchSettings, conditional?: ConditionalRequest): Promise<AttemptResult> {
  return new Promise((resolve) => new Attempt(url, settings, resolve, conditional).start());
}
