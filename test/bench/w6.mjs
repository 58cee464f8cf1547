// W6: repeat runs with --cache (SPEC §10). W1s's list (three selectors) against pages that carry an ETag
// and answer it with a 304: the fetch floor, trawl without a cache, trawl's first run with --cache (which
// fills the file) and its repeat run (every URL a 304). The repeat run's records are checked against the
// first run's, URL by URL: identical except ms, attempts and "cached", which must be true on every one.
import { createReadStream, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { isDeepStrictEqual } from "node:util";
import { tempPath, writeUrlFile } from "./measure.mjs";

const TRAWL = join(resolve(import.meta.dirname, "../.."), "bin/trawl.js");

/** The route answers with an ETag, and with a 304 to a request that names it (either server). */
async function checkRoute(origin) {
  const url = `${origin}/etag/0`;
  const first = await fetch(url);
  await first.arrayBuffer();
  const etag = first.headers.get("etag");
  if (!first.ok || etag === null) throw new Error(`bench server: ${url} answered ${first.status} without an ETag`);
  const second = await fetch(url, { headers: { "if-none-match": etag } });
  await second.arrayBuffer();
  if (second.status !== 304) throw new Error(`bench server: ${url} answered If-None-Match with ${second.status}, not 304`);
}

/** A record without what differs between the two runs. */
function lasting(line) {
  const { ms: _ms, attempts: _attempts, cached: _cached, ...rest } = JSON.parse(line);
  return rest;
}

/** Reads the first run's records by URL, then walks the repeat run's: {records, cached, identical, firstDifference}. */
async function compareRuns(firstFile, repeatFile) {
  const first = new Map();
  for await (const line of createInterface({ input: createReadStream(firstFile), crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line !== "") first.set(JSON.parse(line).url, line);
  }
  let records = 0;
  let cached = 0;
  let identical = 0;
  let firstDifference = null;
  for await (const line of createInterface({ input: createReadStream(repeatFile), crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line === "") continue;
    records++;
    const record = JSON.parse(line);
    if (record.cached === true) cached++;
    const before = first.get(record.url);
    if (before !== undefined && isDeepStrictEqual(lasting(before), lasting(line))) identical++;
    else firstDifference ??= { url: record.url, first: before ?? null, repeat: line };
  }
  return { firstRecords: first.size, records, cached, identical, firstDifference };
}

/**
 * Runs W6 on `urls` URLs of the page server at `origin`; `measure` and `add` are run.mjs's, `floorArgs`
 * its fetch-floor command line. Returns the rows, the check of the records and the figures.
 */
export async function runW6({ urls, origin, concurrency, selectors, measure, add, floorArgs }) {
  await checkRoute(origin);
  const urlFile = writeUrlFile("W6", origin, "/etag/", urls);
  const selectorArgs = selectors.flatMap((selector) => ["-s", selector]);
  const cacheFile = tempPath("W6-cache.bin");
  const outputs = { plain: tempPath("W6-plain.ndjson"), first: tempPath("W6-first.ndjson"), repeat: tempPath("W6-repeat.ndjson") };
  const trawlRun = (runner, args, stdoutFile) =>
    measure({
      workload: "W6",
      runner,
      urls,
      args: [TRAWL, "-q", "-c", String(concurrency), ...selectorArgs, ...args],
      stdinFile: urlFile,
      stdoutFile,
    });
  try {
    const floor = await measure({ workload: "W6", runner: "fetch floor", urls, args: floorArgs("none", urlFile, concurrency) });
    add(floor);
    const plain = await trawlRun("trawl", [], outputs.plain);
    const first = await trawlRun("trawl 1st", ["--cache", cacheFile], outputs.first);
    const repeat = await trawlRun("trawl repeat", ["--cache", cacheFile], outputs.repeat);
    const check = await compareRuns(outputs.first, outputs.repeat);
    const plainCheck = await compareRuns(outputs.plain, outputs.first);
    for (const [row, ok] of [
      [plain, plainCheck.firstRecords],
      [first, check.firstRecords],
      [repeat, check.records],
    ]) {
      row.ok = ok;
      add(row);
    }
    return {
      urls,
      rows: { floor, plain, first, repeat },
      check,
      // The first run with --cache against the same run without: what filling the file costs.
      firstOverPlain: first.wallSeconds / plain.wallSeconds,
      firstOverRepeat: first.wallSeconds / repeat.wallSeconds,
      firstOverRepeatCpu: first.cpuSeconds / repeat.cpuSeconds,
      repeatOverFloor: repeat.wallSeconds / floor.wallSeconds,
      plainIdenticalToFirst: plainCheck.identical === urls,
    };
  } finally {
    for (const file of [urlFile, cacheFile, `${cacheFile}.lock`, ...Object.values(outputs)]) rmSync(file, { force: true });
  }
}

/** The figures and the target, as lines for the report. */
export function w6Text(w6) {
  const { check } = w6;
  const complete = [w6.rows.first, w6.rows.repeat].every((row) => row.exitCode === 0 && !row.timedOut);
  const recordsMet = check.records === w6.urls && check.cached === w6.urls && check.identical === w6.urls;
  const met = complete && recordsMet && w6.firstOverRepeat >= 3;
  const lines = [
    `W6 repeat run with --cache: first ${w6.rows.first.wallSeconds.toFixed(2)} s, repeat ${w6.rows.repeat.wallSeconds.toFixed(2)} s ` +
      `(${w6.firstOverRepeat.toFixed(2)}× faster; target >= 3×: ${met ? "met" : "NOT MET"})`,
    `   CPU: first ${w6.rows.first.cpuSeconds.toFixed(2)} s, repeat ${w6.rows.repeat.cpuSeconds.toFixed(2)} s ` +
      `(${(w6.rows.first.cpuSeconds / w6.rows.repeat.cpuSeconds).toFixed(2)}×: steadier than wall time on a busy machine)`,
    `   repeat run / fetch floor wall: ${w6.repeatOverFloor.toFixed(2)} (floor ${w6.rows.floor.wallSeconds.toFixed(2)} s, every page's body; the repeat run reads none)`,
    `   first run with --cache / without: ${w6.firstOverPlain.toFixed(2)} (filling the file)`,
    `   repeat records: ${check.records.toLocaleString("en-US")}, cached ${check.cached.toLocaleString("en-US")}, ` +
      `identical to the first run's but ms/attempts/cached: ${check.identical.toLocaleString("en-US")}` +
      (w6.plainIdenticalToFirst ? "" : "; WARNING: the first run's records differ from the run without --cache"),
  ];
  if (check.firstDifference) lines.push(`   first difference: ${JSON.stringify(check.firstDifference).slice(0, 600)}`);
  return lines.join("\n");
}
