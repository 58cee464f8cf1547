import { type Dispatcher, request } from "undici";
import { type ErrorCode, messageOf, TrawlError, toErrorCode } from "../errors.js";
import { readBody } from "./body.js";
import { parseRetryAfter } from "./retry.js";

/** What one attempt needs; built once per run. */
export interface FetchSettings {
  dispatcher: Dispatcher;
  /** Request headers, names lower-cased (user-agent, accept-encoding and the user's own). */
  headers: Record<string, string>;
  timeoutMs: number;
  maxRedirects: number;
  maxBytes: number;
}

/** The outcome of one attempt, redirects included. Failures are values, never thrown. */
export interface AttemptResult {
  /** The last URL requested. */
  finalUrl: string;
  /** Status of the last response, or null when none arrived. */
  status: number | null;
  contentType: string | null;
  /** The decoded body, or null when it was not read whole. */
  body: Buffer | null;
  error: TrawlError | null;
  /** `Retry-After` of the last response in ms, or null. */
  retryAfterMs: number | null;
}

// RFC 9110 §15.4: the redirections that carry a Location to follow.
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Credentials are for the origin they were given to (as curl and browsers do on cross-origin redirects).
const CREDENTIAL_HEADERS = ["authorization", "cookie"];

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/**
 * One attempt to fetch `url` whole: connect, follow redirects, read and decompress the body, all
 * under one timer of `timeoutMs` (SPEC §2), and stopped at once when `runSignal` aborts.
 */
export async function fetchPage(url: string, settings: FetchSettings, runSignal: AbortSignal): Promise<AttemptResult> {
  const controller = new AbortController();
  const onRunAbort = () => controller.abort(new TrawlError("EABORTED", "the run was aborted"));
  runSignal.addEventListener("abort", onRunAbort, { once: true });
  // A plain timer, cleared when the attempt ends: no per-URL timer outlives its request.
  const timer = setTimeout(
    () => controller.abort(new TrawlError("ETIMEOUT", `no complete response within ${settings.timeoutMs} ms`)),
    settings.timeoutMs,
  );
  if (runSignal.aborted) onRunAbort();
  let current = url;
  let status: number | null = null;
  let contentType: string | null = null;
  let retryAfterMs: number | null = null;
  const fail = (code: ErrorCode, message: string): AttemptResult => ({
    finalUrl: current,
    status,
    contentType,
    body: null,
    error: new TrawlError(code, message),
    retryAfterMs,
  });
  let during: "headers" | "body" = "headers";
  try {
    const headers = { ...settings.headers };
    for (let redirects = 0; ; redirects++) {
      status = null;
      contentType = null;
      const response = await request(current, {
        dispatcher: settings.dispatcher,
        method: "GET",
        headers,
        signal: controller.signal,
      });
      status = response.statusCode;
      contentType = headerValue(response.headers, "content-type");
      retryAfterMs = parseRetryAfter(headerValue(response.headers, "retry-after"));
      const location = headerValue(response.headers, "location");
      if (REDIRECT_STATUSES.has(status) && location !== null && settings.maxRedirects > 0) {
        // Drain the small redirect body so the connection goes back to the pool.
        await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        if (redirects >= settings.maxRedirects) {
          return fail("ETOOMANYREDIRECTS", `more than ${settings.maxRedirects} redirects`);
        }
        let next: URL;
        try {
          next = new URL(location, current);
        } catch {
          return fail("EINVALIDURL", `redirect to an invalid URL: ${location}`);
        }
        if (next.protocol !== "http:" && next.protocol !== "https:") {
          return fail("EINVALIDURL", `redirect to a non-http(s) URL is not followed: ${next.protocol}`);
        }
        next.hash = "";
        if (next.origin !== new URL(current).origin) {
          for (const name of CREDENTIAL_HEADERS) delete headers[name];
        }
        current = next.href;
        continue;
      }
      const declaredLength = Number(headerValue(response.headers, "content-length") ?? Number.NaN);
      const encoding = headerValue(response.headers, "content-encoding");
      if (!encoding && declaredLength > settings.maxBytes) {
        response.body.destroy();
        return fail("EBODYTOOLARGE", `body of ${declaredLength} bytes is larger than ${settings.maxBytes}`);
      }
      during = "body";
      const body = await readBody(response.body, encoding, settings.maxBytes, controller.signal);
      return { finalUrl: current, status, contentType, body, error: null, retryAfterMs };
    }
  } catch (error) {
    // Whichever signal fired decides the code: our timer, or the run being stopped.
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : error;
    if (reason instanceof TrawlError) return fail(reason.code, reason.message);
    return fail(toErrorCode(reason, during), messageOf(reason));
  } finally {
    clearTimeout(timer);
    runSignal.removeEventListener("abort", onRunAbort);
  }
}
