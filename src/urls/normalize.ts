/** An input line judged: a URL to fetch (normalised), or the reason it is not one. */
export type InputUrl = { ok: true; url: string } | { ok: false; line: string; reason: string };

/**
 * Parses one input line as an absolute http(s) URL and normalises it the WHATWG way (lower-cased
 * scheme and host, default port dropped, percent-encoding fixed) with the fragment dropped, which
 * is never sent to a server, and an empty query (`?` alone) dropped. Anything else (relative, `mailto:`, `file:`, garbage) is rejected:
 * a `file:` URL is never read.
 */
export function normalizeUrl(line: string): InputUrl {
  let url: URL;
  try {
    url = new URL(line);
  } catch {
    return { ok: false, line, reason: `not an absolute URL${suggestion(line)}` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, line, reason: `only http and https URLs are fetched, not ${url.protocol}` };
  }
  if (url.hostname === "") return { ok: false, line, reason: "the URL has no host" };
  // Each setter re-serialises the URL: touch only what is there (most lines have neither).
  if (line.includes("#")) url.hash = "";
  // "/a?" and "/a" are one request on the wire (undici sends no empty query): one URL here too.
  if (line.includes("?") && url.search === "") url.search = "";
  return { ok: true, url: url.href };
}

/**
 * The key a URL is rate- and concurrency-limited under: its host and port (`host[:port]`), sliced
 * from a normalised URL (no parse: it runs once per request).
 */
export function hostOf(url: string): string {
  const start = url.indexOf("//") + 2;
  const end = url.indexOf("/", start);
  return url.slice(start, end === -1 ? undefined : end);
}

/**
 * A hint for a line that looks like a URL without its scheme (`example.com/a`, `www.x.org`): what
 * the user most likely meant. Only for a host with a dot and no spaces, so prose gets no hint.
 */
function suggestion(line: string): string {
  if (/\s/.test(line) || !/^[^/:?#]+\.[^/:?#]+(?::\d+)?(?:[/?#]|$)/.test(line)) return "";
  const guess = URL.canParse(`https://${line}`) ? new URL(`https://${line}`) : null;
  return guess?.hostname.includes(".") ? ` (did you mean ${guess.href}?)` : "";
}
