import { createHash } from "node:crypto";
import CachePolicy from "http-cache-semantics";

/**
 * RFC 9111 for a private client cache that always revalidates, through http-cache-semantics: which
 * responses may be kept, the conditional headers of the next request, and whether a 304 answers
 * the stored entry. Freshness is not used: trawl never reuses a record without the server's 304.
 */

/** Header fields as undici gives them (names lower-cased; repeated fields as arrays). */
export type HeaderFields = Record<string, string | string[] | undefined>;

/** What the cache keeps of a response to revalidate it later (http-cache-semantics' policy object). */
export type StoredPolicy = CachePolicy.PolicyObject;

/** The conditional request headers of a revalidation (a type, not an interface: it is a header record). */
export type ConditionalHeaders = {
  "if-none-match"?: string;
  "if-modified-since"?: string;
};

// The response fields the policy reads; the rest (cookies, CSP, …) are not kept in the file.
const KEPT_RESPONSE_FIELDS = ["cache-control", "pragma", "expires", "etag", "last-modified", "vary"];

function fieldValue(fields: HeaderFields, name: string): string | undefined {
  const value = fields[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

function varyNames(vary: string | undefined): string[] {
  if (vary === undefined) return [];
  return vary
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
}

/**
 * The request as the policy sees it. Only the fields the response varies on are kept, and their
 * values hashed: `Vary: Authorization` or `Cookie` must not put a secret into a file that CI's cache
 * step uploads. The same hashing at store and at revalidation keeps the comparison exact.
 */
function policyRequest(url: string, requestHeaders: HeaderFields, vary: string | undefined): CachePolicy.Request {
  const headers: CachePolicy.Headers = {};
  const cacheControl = fieldValue(requestHeaders, "cache-control");
  if (cacheControl !== undefined) headers["cache-control"] = cacheControl;
  for (const name of varyNames(vary)) {
    const value = fieldValue(requestHeaders, name);
    if (value !== undefined) headers[name] = createHash("sha256").update(value).digest("base64url").slice(0, 22);
  }
  return { url, method: "GET", headers };
}

function keptResponseFields(responseHeaders: HeaderFields): CachePolicy.Headers {
  const kept: CachePolicy.Headers = {};
  for (const name of KEPT_RESPONSE_FIELDS) {
    const value = fieldValue(responseHeaders, name);
    if (value !== undefined) kept[name] = value;
  }
  // RFC 9110 §13.1.3: a server ignores an If-Modified-Since that is not a date; sending one is noise.
  if (kept["last-modified"] !== undefined && Number.isNaN(Date.parse(kept["last-modified"]))) {
    delete kept["last-modified"];
  }
  return kept;
}

/**
 * The policy to keep for a response, or null when it may not be kept: not 2xx, no validator to
 * revalidate with, `Cache-Control: no-store` (response or request), or `Vary: *` (RFC 9111 §4.1:
 * it never matches a later request). `private` is fine: this cache is the client's own.
 */
export function storablePolicy(
  url: string,
  status: number,
  responseHeaders: HeaderFields,
  requestHeaders: HeaderFields,
): StoredPolicy | null {
  if (status < 200 || status > 299) return null;
  const kept = keptResponseFields(responseHeaders);
  if (kept.etag === undefined && kept["last-modified"] === undefined) return null;
  if (varyNames(kept.vary).includes("*")) return null;
  const policy = new CachePolicy(policyRequest(url, requestHeaders, kept.vary), { status, headers: kept }, { shared: false });
  return policy.storable() ? policy.toObject() : null;
}

function restore(stored: StoredPolicy): CachePolicy | null {
  try {
    return CachePolicy.fromObject(stored);
  } catch {
    return null; // written by a policy format this version does not read: a miss
  }
}

/**
 * The conditional headers for a new request to `url`: `If-None-Match` with the stored ETag as it
 * came (a weak `W/"…"` one too: a plain GET may use it, RFC 9110 §13.1.2) and `If-Modified-Since`
 * with the stored Last-Modified, both when both exist. Null when the request's varied fields
 * differ from the stored request's (RFC 9111 §4.1), so the stored record would not answer it.
 */
export function conditionalHeaders(stored: StoredPolicy, url: string, requestHeaders: HeaderFields): ConditionalHeaders | null {
  const policy = restore(stored);
  if (policy === null) return null;
  const all = policy.revalidationHeaders(policyRequest(url, requestHeaders, stored.resh?.vary));
  const headers: ConditionalHeaders = {};
  if (all["if-none-match"] !== undefined) headers["if-none-match"] = all["if-none-match"];
  if (all["if-modified-since"] !== undefined) headers["if-modified-since"] = all["if-modified-since"];
  return headers["if-none-match"] === undefined && headers["if-modified-since"] === undefined ? null : headers;
}

/**
 * Judges a 304 to a request that carried the stored validators. It answers the stored entry
 * when its validators match (RFC 9111 §4.3.4: weak comparison of ETags, else the same
 * Last-Modified), or when it carries none: the server has compared what was sent and found it
 * current. Returns the policy to keep (the 304's fields replace the stored ones) and whether its
 * validators changed; null when the 304 names another representation.
 */
export function revalidatedPolicy(
  stored: StoredPolicy,
  url: string,
  requestHeaders: HeaderFields,
  responseHeaders: HeaderFields,
): { policy: StoredPolicy; validatorsChanged: boolean } | null {
  const policy = restore(stored);
  if (policy === null) return null;
  const fields = keptResponseFields(responseHeaders);
  const request = policyRequest(url, requestHeaders, stored.resh?.vary);
  const { policy: next, matches } = policy.revalidatedPolicy(request, { status: 304, headers: fields });
  if (!matches) {
    const bare = fields.etag === undefined && fields["last-modified"] === undefined;
    return bare ? { policy: stored, validatorsChanged: false } : null;
  }
  const updated = next.toObject();
  const validatorsChanged = updated.resh.etag !== stored.resh.etag || updated.resh["last-modified"] !== stored.resh["last-modified"];
  return { policy: updated, validatorsChanged };
}
