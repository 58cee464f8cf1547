/**
 * The cookie jar of a run (SPEC §2), a policy around the requests of each attempt, as browsers and
 * Scrapy's cookies middleware keep one: the Set-Cookie of every response (redirects and errors too) is
 * stored against the URL that set it, and every request, each redirect hop included, carries the
 * cookies the jar holds for its own URL. The RFC 6265 rules (domain and path matching, expiry, Secure,
 * public suffixes, `__Host-` prefixes) are tough-cookie's; this file decides when to ask it, so that a
 * run that meets no cookie pays one property test per response and never loads it.
 *
 * "Site" is RFC 6265's: a cookie belongs to the host that set it (or, with a `Domain` attribute, that
 * domain and its subdomains) whatever the port, as in browsers (§8.5: cookies do not isolate by port);
 * `Secure` ones go over https only, loopback included.
 */
import type { Cookie, CookieJar, SetCookieOptions } from "tough-cookie";
import { COOKIE_JAR_MAX_COOKIES, COOKIE_MAX_BYTES } from "../limits.js";
import type { FileCookie } from "./cookie-file.js";

type ToughCookie = typeof import("tough-cookie");

/** Where a cookie sits in the jar's index, to remove it when it is deleted or crowded out. */
interface Place {
  domain: string;
  path: string;
  key: string;
}

// Browsers accept `Set-Cookie: token` (a value with no name); a Secure cookie stays off plain http even
// on loopback, where tough-cookie's default would allow it.
const JAR_OPTIONS = { looseMode: true, allowSecureOnLocal: false };
// A cookie the jar refuses (another site's domain, a public suffix, Secure over http) is dropped quietly.
const SET_OPTIONS: SetCookieOptions = { ignoreError: true };
// RFC 6265 §5.4 step 2: longer paths first, then older cookies.
const GET_OPTIONS = { sort: true };
const ignore = () => undefined;

/**
 * The host of a URL, without port, credentials or IPv6 brackets, lower-cased: the jar's domains are
 * such names. A slice of the text, not a parse: it runs for every request once the jar holds a cookie.
 */
export function hostnameOf(url: string): string {
  const start = url.indexOf("//") + 2;
  let end = start;
  while (end < url.length) {
    const code = url.charCodeAt(end);
    if (code === 0x2f || code === 0x3f || code === 0x23) break; // "/", "?", "#"
    end++;
  }
  const at = url.lastIndexOf("@", end);
  const from = at >= start ? at + 1 : start;
  if (url.charCodeAt(from) === 0x5b) return url.slice(from + 1, url.indexOf("]", from)).toLowerCase(); // "[::1]"
  const colon = url.indexOf(":", from);
  return url.slice(from, colon !== -1 && colon < end ? colon : end).toLowerCase();
}

/** The names in a Cookie header (`a=1; b=2` → a, b). */
function namesIn(header: string): Set<string> {
  const names = new Set<string>();
  for (const pair of header.split(";")) {
    const equals = pair.indexOf("=");
    names.add((equals === -1 ? "" : pair.slice(0, equals)).trim());
  }
  return names;
}

export class CookiePolicy {
  /** Set while tough-cookie loads (once, when the first cookie arrives): requests wait for it. */
  loading: Promise<void> | null = null;
  private lib: ToughCookie | null = null;
  private jar: CookieJar | null = null;
  /** True when tough-cookie could not be loaded: the run goes on without a jar. */
  private unavailable = false;
  /** Set-Cookie values that arrived while tough-cookie loaded, with the URL that set each. */
  private early: [url: string, setCookie: string | string[]][] = [];
  /** Cookies held per domain: a request to a host none of whose domains is here skips the jar. */
  private readonly perDomain = new Map<string, number>();
  /** Cookies held per domain and path, so that the jar's index drops entries left empty. */
  private readonly perPath = new Map<string, number>();
  /** Every cookie held, least recently set first: past the cap, the first goes. */
  private readonly held = new Map<string, Place>();

  /** A jar that starts with `fileCookies` (a `cookies.txt`); tough-cookie loads now if there are any. */
  constructor(fileCookies: readonly FileCookie[] = []) {
    if (fileCookies.length > 0) this.load(fileCookies);
  }

  /** How many cookies the jar holds (expired ones included until they are set again or crowded out). */
  get size(): number {
    return this.held.size;
  }

  /**
   * The headers of a request to `url`: `headers` itself when the jar holds no cookie for its host (no
   * object made), else a copy with the jar's cookies. They join a Cookie the user gave in one header
   * (RFC 6265 §5.4: never two), after it, and only under names it does not give: what the user set wins.
   */
  headersFor(url: string, headers: Record<string, string>): Record<string, string> {
    if (this.perDomain.size === 0 || this.jar === null || !this.mayHold(hostnameOf(url))) return headers;
    const cookies = this.jar.getCookiesSync(url, GET_OPTIONS);
    if (cookies.length === 0) return headers;
    const given = headers.cookie;
    const taken = given === undefined ? null : namesIn(given);
    let line = given ?? "";
    for (const cookie of cookies) {
      if (taken?.has(cookie.key)) continue;
      line = line === "" ? cookie.cookieString() : `${line}; ${cookie.cookieString()}`;
    }
    return line === given ? headers : { ...headers, cookie: line };
  }

  /** Stores the `Set-Cookie` of a response to `url` (a header undici gives as a string, or an array when repeated). */
  store(url: string, setCookie: string | string[]): void {
    if (this.unavailable) return;
    if (this.jar === null) {
      this.early.push([url, setCookie]);
      this.load([]);
    } else if (typeof setCookie === "string") {
      this.storeOne(url, setCookie);
    } else {
      for (const text of setCookie) this.storeOne(url, text);
    }
  }

  /** Loads tough-cookie, then takes the file's cookies and those that arrived meanwhile. */
  private load(fileCookies: readonly FileCookie[]): void {
    if (this.loading !== null) return;
    this.loading = import("tough-cookie").then(
      (lib) => {
        const jar = new lib.CookieJar(undefined, JAR_OPTIONS);
        this.lib = lib;
        this.jar = jar;
        for (const cookie of fileCookies) this.hold(jar, fromFile(lib, cookie));
        for (const [url, setCookie] of this.early) this.store(url, setCookie);
        this.early = [];
        this.loading = null;
      },
      () => {
        // A broken install, not a page's fault: the run still fetches, as with cookies off.
        this.unavailable = true;
        this.early = [];
        this.loading = null;
      },
    );
  }

  private storeOne(url: string, text: string): void {
    const lib = this.lib as ToughCookie;
    const jar = this.jar as CookieJar;
    const cookie = lib.Cookie.parse(text, { loose: true });
    if (cookie === undefined || cookie.key.length + cookie.value.length > COOKIE_MAX_BYTES) return;
    let stored: Cookie | undefined;
    try {
      stored = jar.setCookieSync(cookie, url, SET_OPTIONS);
    } catch {
      // ignoreError covers what a server can send; this is for anything it does not foresee.
      return;
    }
    if (stored === undefined) return;
    pinMaxAge(stored, Date.now());
    const id = this.hold(jar, stored, false);
    // A server deletes its cookie by setting it expired (Max-Age=0 or an Expires past): gone at once.
    if (stored.TTL() <= 0) this.forget(jar, id);
  }

  /** Records a cookie the jar now holds (putting it there first when `put`), and keeps the jar under its cap. */
  private hold(jar: CookieJar, cookie: Cookie, put = true): string {
    const place: Place = { domain: cookie.domain ?? "", path: cookie.path ?? "/", key: cookie.key };
    if (put) jar.store.putCookie(cookie, ignore);
    const id = `${place.domain}\t${place.path}\t${place.key}`;
    // Set again: it moves to the end of the line, counted once.
    if (this.held.delete(id)) {
      this.held.set(id, place);
      return id;
    }
    this.held.set(id, place);
    this.perDomain.set(place.domain, (this.perDomain.get(place.domain) ?? 0) + 1);
    const pathKey = `${place.domain}\t${place.path}`;
    this.perPath.set(pathKey, (this.perPath.get(pathKey) ?? 0) + 1);
    if (this.held.size > COOKIE_JAR_MAX_COOKIES) this.forget(jar, this.held.keys().next().value as string);
    return id;
  }

  /** Removes a held cookie from the jar, and the index entries it leaves empty. */
  private forget(jar: CookieJar, id: string): void {
    const place = this.held.get(id);
    if (place === undefined) return;
    this.held.delete(id);
    const { domain, path, key } = place;
    jar.store.removeCookie(domain, path, key, ignore);
    const pathKey = `${domain}\t${path}`;
    const onPath = (this.perPath.get(pathKey) ?? 1) - 1;
    if (onPath > 0) this.perPath.set(pathKey, onPath);
    else {
      this.perPath.delete(pathKey);
      jar.store.removeCookies(domain, path, ignore);
    }
    const onDomain = (this.perDomain.get(domain) ?? 1) - 1;
    if (onDomain > 0) this.perDomain.set(domain, onDomain);
    else {
      this.perDomain.delete(domain);
      jar.store.removeCookies(domain, null, ignore);
    }
  }

  /** True when the jar may hold a cookie for `host`: one for the host itself or for a domain above it. */
  private mayHold(host: string): boolean {
    let dot = -1;
    do {
      if (this.perDomain.has(dot === -1 ? host : host.slice(dot + 1))) return true;
      dot = host.indexOf(".", dot + 1);
    } while (dot !== -1);
    return false;
  }
}

/**
 * RFC 6265 §5.2.2: Max-Age counts from when the cookie arrives. tough-cookie (6.1) counts it from the
 * cookie's last use, so a cookie sent more often than its Max-Age would never expire: it becomes the
 * absolute expiry it stands for, as the RFC computes it on receipt.
 */
function pinMaxAge(cookie: Cookie, nowMs: number): void {
  const maxAge = cookie.maxAge;
  if (maxAge === null) return;
  if (maxAge === "Infinity") cookie.expires = "Infinity";
  else if (maxAge === "-Infinity" || maxAge <= 0) cookie.expires = new Date(0);
  else cookie.expires = new Date(nowMs + maxAge * 1000);
  cookie.maxAge = null;
}

/** A `cookies.txt` line as tough-cookie's cookie: the file is trusted as written, as curl trusts it. */
function fromFile(lib: ToughCookie, cookie: FileCookie): Cookie {
  return new lib.Cookie({
    key: cookie.name,
    value: cookie.value,
    domain: lib.canonicalDomain(cookie.domain) ?? cookie.domain,
    path: cookie.path,
    secure: cookie.secure,
    httpOnly: cookie.httpOnly,
    hostOnly: !cookie.includeSubdomains,
    expires: cookie.expiresSeconds === 0 ? "Infinity" : new Date(cookie.expiresSeconds * 1000),
    creation: new Date(),
  });
}
