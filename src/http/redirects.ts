/**
 * Redirects as a pure module (as undici keeps its redirect handler apart from dispatch): which
 * answers redirect, where to, and what the next hop may carry. No I/O here; `fetch-page.ts` asks.
 */
import { isUtf8 } from "node:buffer";
import type { ErrorCode } from "../errors.js";

/** Response headers as undici hands them to a dispatch handler. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

// RFC 9110 §15.4: the redirections that carry a Location to follow.
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Credentials are for the origin they were given to (as curl and browsers do on cross-origin redirects).
const CREDENTIAL_HEADERS = ["authorization", "cookie"];

/** The first value of a response header, or null. */
export function headerValue(headers: ResponseHeaders, name: string): string | null {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/**
 * undici reads header bytes as latin1, but a Location with raw non-ASCII bytes is UTF-8 in practice:
 * browsers, curl and undici's own fetch read it so. Bytes that are not valid UTF-8 stay latin1.
 */
export function locationOf(headers: ResponseHeaders): string | null {
  const value = headerValue(headers, "location");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is for bytes past ASCII
  if (value === null || !/[^\x00-\x7f]/.test(value)) return value;
  const bytes = Buffer.from(value, "latin1");
  return isUtf8(bytes) ? bytes.toString("utf8") : value;
}

/** True when an answer is a redirect to follow (a 3xx with a Location, and redirects allowed). */
export function isRedirect(status: number, location: string | null, maxRedirects: number): location is string {
  return REDIRECT_STATUSES.has(status) && location !== null && maxRedirects > 0;
}

/** The next hop of a redirect chain, or why the chain stops there. */
export type RedirectHop = { ok: true; url: string; headers: Record<string, string> } | { ok: false; code: ErrorCode; message: string };

/**
 * Where a redirect leads from `current`: the absolute URL (fragment dropped) and the headers the next
 * request carries (credentials dropped when the origin changes). A chain longer than `maxRedirects`,
 * a Location that is not a URL, or one that is not http(s) ends the chain with its code (SPEC §2).
 */
export function nextHop(
  location: string,
  current: string,
  redirectsSoFar: number,
  maxRedirects: number,
  headers: Record<string, string>,
): RedirectHop {
  if (redirectsSoFar >= maxRedirects) return { ok: false, code: "ETOOMANYREDIRECTS", message: `more than ${maxRedirects} redirects` };
  let next: URL;
  try {
    next = new URL(location, current);
  } catch {
    return { ok: false, code: "EINVALIDURL", message: `redirect to an invalid URL: ${location}` };
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") {
    return { ok: false, code: "EINVALIDURL", message: `redirect to a non-http(s) URL is not followed: ${next.protocol}` };
  }
  next.hash = "";
  if (next.origin === new URL(current).origin || !CREDENTIAL_HEADERS.some((name) => name in headers)) {
    return { ok: true, url: next.href, headers };
  }
  const kept = { ...headers };
  for (const name of CREDENTIAL_HEADERS) delete kept[name];
  return { ok: true, url: next.href, headers: kept };
}
