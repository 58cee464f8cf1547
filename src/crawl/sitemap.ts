import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { Parser } from "htmlparser2";
import type { FetchOutcome } from "../http/fetch-with-retry.js";

/** A sitemap is at most 50 MB uncompressed (sitemaps.org); a bigger one is cut there. */
import { SITEMAP_MAX_NESTING, SITEMAP_MAX_BYTES as MAX_SITEMAP_BYTES } from "../limits.js";

/** The `<loc>`s of a sitemap document, and whether it was an index of other sitemaps. */
export function parseSitemap(xml: string): { index: boolean; locations: string[] } {
  const locations: string[] = [];
  let index = false;
  let inLoc = false;
  let text = "";
  const parser = new Parser(
    {
      onopentagname(name) {
        const local = name.slice(name.indexOf(":") + 1).toLowerCase();
        if (local === "sitemapindex") index = true;
        if (local === "loc") {
          inLoc = true;
          text = "";
        }
      },
      ontext(data) {
        if (inLoc) text += data;
      },
      onclosetag(name) {
        if (name.slice(name.indexOf(":") + 1).toLowerCase() === "loc" && inLoc) {
          inLoc = false;
          if (text.trim() !== "") locations.push(text.trim());
        }
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(xml);
  return { index, locations };
}

/** Bytes of a sitemap as text, gunzipped when they are gzip (`sitemap.xml.gz` served as a file). */
function sitemapText(bytes: Buffer): string {
  const plain = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes, { maxOutputLength: MAX_SITEMAP_BYTES }) : bytes;
  return plain.toString("utf8");
}

/**
 * Every page URL of a sitemap or sitemap index (nested and gzipped too), read from a URL or a
 * local file, streamed as found. A sitemap that cannot be fetched or read is yielded itself, so
 * that it gets a record with the error, rather than vanishing.
 */
export async function* sitemapUrls(source: string, fetchSitemap: (url: string) => Promise<FetchOutcome>): AsyncGenerator<string> {
  const seen = new Set<string>();
  async function* walk(location: string, depth: number): AsyncGenerator<string> {
    if (seen.has(location) || depth > SITEMAP_MAX_NESTING) return;
    seen.add(location);
    let bytes: Buffer;
    if (/^https?:/i.test(location)) {
      const outcome = await fetchSitemap(location);
      if (outcome.error || !outcome.body || outcome.status === null || outcome.status >= 300) {
        yield location;
        return;
      }
      bytes = outcome.body;
    } else if (depth === 0) {
      // Only the user's own argument may name a local file: a remote index never makes trawl read one.
      try {
        bytes = await readFile(location);
      } catch {
        yield location;
        return;
      }
    } else {
      yield location; // not an http(s) URL: it becomes an EINVALIDURL record
      return;
    }
    let parsed: ReturnType<typeof parseSitemap>;
    try {
      parsed = parseSitemap(sitemapText(bytes));
    } catch {
      yield location;
      return;
    }
    for (const loc of parsed.locations) {
      if (parsed.index) yield* walk(loc, depth + 1);
      else yield loc;
    }
  }
  yield* walk(source, 0);
}
