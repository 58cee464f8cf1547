// W5: the link checker at scale. C1's generated site crawled twice: plainly, then with `--check-links all
// --check-fragments`, for pages/s and peak RSS side by side. Every page of the site links to its own
// `#comments`, which no page has: the checking crawl ends with one EFRAGMENT failure per page, each held
// until the end and written with its linkedFrom, so the memory of held failures and of the referrer log is
// measured at its worst (as many failures as pages). Records are checked afterwards, streamed.
import { createReadStream, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { join, resolve } from "node:path";
import { tempPath } from "./measure.mjs";
import { sitePath } from "./page.mjs";
import { checkCrawlRecords } from "./records.mjs";

const TRAWL = join(resolve(import.meta.dirname, "../.."), "bin/trawl.js");

/**
 * The checking run's records: every page once and ok, and for each page one `#comments` EFRAGMENT record
 * naming that page (and it alone) in linkedFrom. Failed records must all come after the ok ones.
 */
async function checkW5Records(file, prefix, pages) {
  const seen = new Uint8Array(pages);
  const fragments = new Uint8Array(pages);
  const counts = { records: 0, ok: 0, pages: 0, fragments: 0, wrongLinkedFrom: 0, stray: 0, okAfterFailure: 0 };
  let failedSeen = false;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line === "") continue;
    counts.records++;
    const ok = line.includes('"ok":true');
    if (ok) counts.ok++;
    if (ok && failedSeen) counts.okAfterFailure++;
    if (!ok) failedSeen = true;
    const url = line.slice(8, line.indexOf('"', 8));
    const hash = url.indexOf("#");
    const page = hash === -1 ? url : url.slice(0, hash);
    const rest = page.startsWith(prefix) ? page.slice(prefix.length) : "";
    const n = /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : -1;
    if (n < 0 || n >= pages) {
      counts.stray++;
      continue;
    }
    if (hash === -1) {
      if (seen[n]++ === 0) counts.pages++;
      continue;
    }
    if (url.slice(hash) !== "#comments" || !line.includes('"code":"EFRAGMENT"')) {
      counts.stray++;
      continue;
    }
    if (fragments[n]++ === 0) counts.fragments++;
    if (!line.includes(`"linkedFrom":{"urls":["${page}"],"more":0}`)) counts.wrongLinkedFrom++;
  }
  const exact =
    counts.records === 2 * pages &&
    counts.pages === pages &&
    counts.fragments === pages &&
    counts.ok === pages &&
    counts.stray === 0 &&
    counts.wrongLinkedFrom === 0 &&
    counts.okAfterFailure === 0;
  return { ...counts, exact };
}

/**
 * Runs both crawls of a site of `pages` pages; `measure` and `add` are run.mjs's. Returns
 * {pages, plain: {row, check}, checked: {row, check}}.
 */
export async function runW5({ pages, origin, measure, add }) {
  const root = `${origin}${sitePath(pages, 0)}`;
  const prefix = `${origin}${sitePath(pages)}`;
  // As C1: --depth 12 never cuts the tree, --max-pages is the site's size; slower than 100 pages/s is a hang.
  const base = ["--crawl", "--depth", "12", "--max-pages", String(pages), "-c", "64", "-q"];
  const timeoutMs = Math.max(120, pages / 100) * 1000;
  const runs = {};
  for (const [side, runner, extra] of [
    ["plain", "trawl crawl", []],
    ["checked", "trawl checks", ["--check-links", "all", "--check-fragments"]],
  ]) {
    const output = tempPath(`W5-${side}.ndjson`);
    const row = await measure({
      workload: "W5",
      runner,
      urls: pages,
      args: [TRAWL, ...base, ...extra, root],
      stdoutFile: output,
      timeoutMs,
    });
    const check = side === "plain" ? await checkCrawlRecords(output, prefix, pages) : await checkW5Records(output, prefix, pages);
    rmSync(output, { force: true });
    // The row counts pages (the checking run also writes one EFRAGMENT record per page).
    row.urls = pages;
    row.ok = check.ok;
    row.records = check.records;
    row.urlsPerSecond = pages / row.wallSeconds;
    add(row);
    runs[side] = { row, check };
  }
  return { pages, ...runs };
}

/** W5 in a few lines: both runs' pages/s and peak RSS, the ratios, and the checks. */
export function w5Text({ pages, plain, checked }) {
  const count = (value) => value.toLocaleString("en-US");
  const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
  const side = (label, { row }) =>
    `  ${label}: ${fixed(row.urlsPerSecond, 0)} pages/s, peak RSS ${fixed(row.peakRssMB, 0)} MB, ${fixed(row.wallSeconds, 1)} s, exit ${row.exitCode}`;
  const c = checked.check;
  return [
    `W5 link checks: C1's site of ${count(pages)} pages, -c 64`,
    side("plain crawl              ", plain),
    side("--check-links all --check-fragments", checked),
    `  ratio checked / plain: ${fixed(checked.row.urlsPerSecond / plain.row.urlsPerSecond, 2)} × pages/s, ${fixed(checked.row.peakRssMB / plain.row.peakRssMB, 2)} × peak RSS`,
    `  plain records: ${plain.check.exact ? "every page once" : "NOT every page once"} (${count(plain.check.records)})`,
    `  checked records: ${count(c.records)}: ${count(c.pages)} pages, ${count(c.fragments)} EFRAGMENT #comments, ${count(c.wrongLinkedFrom)} with a wrong linkedFrom, ` +
      `${count(c.okAfterFailure)} ok after a failure, ${count(c.stray)} stray: ${c.exact ? "as expected" : "NOT as expected"}`,
  ].join("\n");
}
