// Reads trawl's NDJSON output after the run (never during it: parsing in the parent would steal CPU from
// the child being measured) and checks it against the cheerio floor's sample, or a crawl's against its site.
import { createReadStream, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { isDeepStrictEqual } from "node:util";

/**
 * Counts records and ok records, and keeps {title, data} of the records whose URL is in `sampleUrls`.
 * Only sampled lines are JSON-parsed: 1M full parses would cost the parent seconds for nothing.
 */
export async function summariseRecords(file, sampleUrls = new Set()) {
  let records = 0;
  let ok = 0;
  const samples = new Map();
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line === "") continue;
    records++;
    if (line.includes('"ok":true')) ok++;
    if (sampleUrls.size > 0) {
      // Records start with {"url":"…" (SPEC §4) and the bench's URLs need no escaping.
      const url = line.slice(8, line.indexOf('"', 8));
      if (sampleUrls.has(url)) {
        const record = JSON.parse(line);
        samples.set(url, { title: record.title, data: record.data });
      }
    }
  }
  return { records, ok, samples };
}

/** The floor's sample file: NDJSON of {url, title, data}. */
export function readFloorSample(file) {
  return new Map(
    readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const { url, ...values } = JSON.parse(line);
        return [url, values];
      }),
  );
}

/** {compared, identical, firstDifference} of trawl's values against the floor's, URL by URL. */
export function compareSamples(floor, trawl) {
  let identical = 0;
  let firstDifference = null;
  for (const [url, expected] of floor) {
    const actual = trawl.get(url);
    if (isDeepStrictEqual(actual, expected)) identical++;
    else firstDifference ??= { url, ...describeDifference(expected, actual) };
  }
  return { compared: floor.size, identical, firstDifference };
}

// Narrows a mismatch down to the first differing field (and array index), so the report stays one line.
function describeDifference(expected, actual) {
  if (actual === undefined) return { field: "(record missing in trawl's output)" };
  if (expected.title !== actual.title) return { field: "title", floor: expected.title, trawl: actual.title };
  for (const name of new Set([...Object.keys(expected.data), ...Object.keys(actual.data ?? {})])) {
    const a = expected.data[name];
    const b = actual.data?.[name];
    if (isDeepStrictEqual(a, b)) continue;
    if (Array.isArray(a) && Array.isArray(b)) {
      const index = a.findIndex((value, i) => value !== b[i]);
      const at = index === -1 ? a.length : index;
      return { field: `${name}[${at}] (lengths ${a.length} vs ${b.length})`, floor: a[at], trawl: b[at] };
    }
    return { field: name, floor: a, trawl: b };
  }
  return { field: "(other keys)" };
}

/**
 * C1's check of a crawl's NDJSON output against its site of `pages` pages at `${prefix}<n>`: one byte of
 * count per page (200 KB for 200,000 pages), the file streamed line by line, no record JSON-parsed.
 * Returns {records, ok, distinct, duplicates, missing, stray, exact, first…} where `exact` means every page
 * 0 … pages-1 has exactly one record and there is no other record.
 */
export async function checkCrawlRecords(file, prefix, pages) {
  const seen = new Uint8Array(pages);
  let records = 0;
  let ok = 0;
  let distinct = 0;
  let duplicates = 0;
  let stray = 0;
  let firstDuplicate = null;
  let firstStray = null;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line === "") continue;
    records++;
    if (line.includes('"ok":true')) ok++;
    // Records start with {"url":"…" and the site's URLs need no escaping; the URL is normalised, so page n
    // is `${prefix}${n}` exactly (no leading zeros, no fragment).
    const url = line.slice(8, line.indexOf('"', 8));
    const rest = url.startsWith(prefix) ? url.slice(prefix.length) : "";
    const n = /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : -1;
    if (n < 0 || n >= pages) {
      stray++;
      firstStray ??= url;
    } else if (seen[n] === 0) {
      seen[n] = 1;
      distinct++;
    } else {
      duplicates++;
      firstDuplicate ??= url;
    }
  }
  const firstMissing = distinct < pages ? seen.indexOf(0) : -1;
  return {
    pages,
    records,
    ok,
    distinct,
    duplicates,
    missing: pages - distinct,
    stray,
    // As many records as pages, each a different page: nothing twice, nothing stray, nothing missing.
    exact: records === pages && distinct === pages,
    firstDuplicate,
    firstMissing: firstMissing < 0 ? null : `${prefix}${firstMissing}`,
    firstStray,
  };
}
