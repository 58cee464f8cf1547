/**
 * The Netscape `cookies.txt` format, as curl (`-b`, `-c`), wget and browser exports write it: one cookie
 * a line, seven tab-separated fields (domain, include subdomains, path, secure, expiry in Unix seconds or
 * 0 for a session cookie, name, value). Pure: text in, cookies out; the jar (`cookies.ts`) takes them.
 * https://curl.se/docs/http-cookies.html
 */

/** One cookie of a `cookies.txt`, as written. */
export interface FileCookie {
  /** Lower-cased, without the leading dot old files put on domain cookies. */
  domain: string;
  /** TRUE: sent to the domain's subdomains too; FALSE: to that host only. */
  includeSubdomains: boolean;
  path: string;
  /** Sent over https only. */
  secure: boolean;
  /** Unix time in seconds after which the cookie is gone; 0 for a session cookie (kept for the run). */
  expiresSeconds: number;
  name: string;
  value: string;
  httpOnly: boolean;
}

// curl marks HttpOnly cookies by this prefix on the domain, which older readers take for a comment.
const HTTP_ONLY_PREFIX = "#HttpOnly_";

function flag(text: string, field: string, line: number): boolean {
  const upper = text.toUpperCase();
  if (upper === "TRUE") return true;
  if (upper === "FALSE") return false;
  throw new Error(`line ${line}: ${field} must be TRUE or FALSE, got \`${text}\``);
}

/**
 * Reads a `cookies.txt`. Blank lines and `#` comments are skipped (a `#HttpOnly_` line is a cookie),
 * cookies already expired at `nowSeconds` are dropped (as curl drops them). A line that is not a cookie
 * throws an Error whose message names its line number and what was wrong: a file of another kind is
 * a mistake worth saying, not a jar to load half of.
 */
export function parseCookieFile(text: string, nowSeconds = Date.now() / 1000): FileCookie[] {
  const cookies: FileCookie[] = [];
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    let entry = (lines[index] as string).replace(/\r$/, "");
    let httpOnly = false;
    if (entry.startsWith(HTTP_ONLY_PREFIX)) {
      httpOnly = true;
      entry = entry.slice(HTTP_ONLY_PREFIX.length);
    } else if (entry.trim() === "" || entry.trimStart().startsWith("#")) {
      continue;
    }
    const fields = entry.split("\t");
    // curl writes 7 fields; a cookie with an empty value may lose its trailing tab (curl reads it so too).
    if (fields.length !== 7 && fields.length !== 6) {
      throw new Error(
        `line ${line}: expected 7 tab-separated fields (domain, subdomains, path, secure, expiry, name, value), got ${fields.length}`,
      );
    }
    const [domain = "", subdomains = "", path = "", secure = "", expires = "", name = "", value = ""] = fields;
    const host = domain.trim().toLowerCase().replace(/^\./, "");
    if (host === "") throw new Error(`line ${line}: the domain is empty`);
    if (!/^\d+$/.test(expires))
      throw new Error(`line ${line}: the expiry must be Unix seconds (0 for a session cookie), got \`${expires}\``);
    const includeSubdomains = flag(subdomains, "the subdomains field", line);
    const isSecure = flag(secure, "the secure field", line);
    const expiresSeconds = Number(expires);
    if (expiresSeconds !== 0 && expiresSeconds <= nowSeconds) continue;
    cookies.push({
      domain: host,
      includeSubdomains,
      path: path.startsWith("/") ? path : "/",
      secure: isSecure,
      expiresSeconds,
      name,
      value,
      httpOnly,
    });
  }
  return cookies;
}
