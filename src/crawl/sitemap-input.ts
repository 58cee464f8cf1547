import type { FetchOutcome } from "../http/fetch-with-retry.js";
import { SITEMAP_MAX_BYTES } from "../limits.js";

/**
 * The input lines, then the pages of each sitemap (SPEC §6). The sitemap reader (an XML tokenizer)
 * loads only when a sitemap is given.
 */
export async function* withSitemaps(
  lines: AsyncIterable<string> | Iterable<string>,
  sitemaps: readonly string[],
  fetchDocument: (url: string, maxBytes: number) => Promise<FetchOutcome>,
  maxBytes: number,
): AsyncGenerator<string> {
  yield* lines;
  const { sitemapUrls } = await import("./sitemap.js");
  // A sitemap may be larger than a page: it gets the sitemap protocol's own cap when that is larger.
  const fetchSitemap = (url: string) => fetchDocument(url, Math.max(maxBytes, SITEMAP_MAX_BYTES));
  for (const sitemap of sitemaps) yield* sitemapUrls(sitemap, fetchSitemap);
}
