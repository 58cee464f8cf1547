// `npm run bench`: trawl against the fetch floor and the cheerio floor, side by side in one run, on one
// local server, each runner a child process of its own so the OS reports its RSS and CPU (issue 3).
//
//   node test/bench/run.mjs [--help] [--quick] [--only W1,W1s,W2,W3,C1,W4,W5,W6,W7,V] [--json FILE] [--server node]
//                           [--repeat N] [--w3-budget S] [--w5-pages N] [--w7-pages N]
//
// --quick      W1/W1s/W6 at 2,000 URLs, W2 at 1,000, W3 at 100,000, C1 on a site of 20,000 pages, W4 on a shop of
//              1,000 products (a fast check, not the figures)
// --only       workloads to run; C1 is `trawl --crawl` over a generated site of 200,000 pages, W4 `trawl
//              --recipe` over the bookshop (10,000 products behind 500 list pages) against a hand-written
//              undici + cheerio crawl, W5 C1's site crawled plainly and with `--check-links all --check-fragments`
//              (one EFRAGMENT failure per page: held failures at their worst), W6 W1s's list run twice with
//              --cache against pages that answer their ETag with a 304 (the repeat run against the first),
//              V is the `trawl --version` start-up timing
// --json       also write every figure to FILE
// --server     `node` to use the Node cluster even when nginx is on PATH
// --repeat     W1 and W2 run the fetch floor and trawl N times each, alternately (default 3); the table shows
//              the run of median wall time and the highest peak RSS of the N, the JSON every run
// --w3-budget  skip W3's full list when the N/10 run projects it past S seconds (default 600; 0: never skip)
// --w7-pages   W7's site size (default: C1's); W7 is C1's site crawled by 1, 2 and 4 `--frontier` workers
//              through a private redis-server (needs redis-server on PATH), only when named in --only
// --w5-pages   W5's site size (default: C1's), for a machine too busy for the full one
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { runMeasured, running, tempPath, writeUrlFile } from "./measure.mjs";
import { SITE_PAGES, sitePath } from "./page.mjs";
import { checkCrawlRecords, compareSamples, readFloorSample, summariseRecords } from "./records.mjs";
import { crawlCheckText, evaluateTargets, tableHeader, tableRow, targetsText, w4CheckText } from "./report.mjs";
import { killGroup, killGroupNow, startServer } from "./server.mjs";
import { runW4 } from "./w4.mjs";
import { runW6, w6Text } from "./w6.mjs";
import { runW5, w5Text } from "./w5.mjs";

/** parseArgs, with a bad flag as one line and exit 2 rather than a stack trace. */
function parseFlags(config) {
  try {
    return parseArgs(config);
  } catch (error) {
    process.stderr.write(`bench: ${error.message} (see --help)\n`);
    process.exit(2);
  }
}

const HERE = import.meta.dirname;
const ROOT = resolve(HERE, "../..");
const TRAWL = join(ROOT, "bin/trawl.js");
const FLOOR = join(HERE, "floor.mjs");

const { values: flags } = parseFlags({
  options: {
    help: { type: "boolean", short: "h", default: false },
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    json: { type: "string" },
    server: { type: "string" },
    repeat: { type: "string", default: "3" },
    "w3-budget": { type: "string", default: "600" },
    "w7-pages": { type: "string" },
    "w5-pages": { type: "string" },
  },
});
if (flags.help) {
  // The header comment above is the help text.
  const { readFileSync } = await import("node:fs");
  const lines = readFileSync(new URL(import.meta.url), "utf8").split("\n");
  process.stdout.write(
    `${lines
      .slice(
        0,
        lines.findIndex((line) => !line.startsWith("//")),
      )
      .map((line) => line.replace(/^\/\/ ?/, ""))
      .join("\n")}\n`,
  );
  process.exit(0);
}
const ALL = ["W1", "W1s", "W2", "W3", "C1", "W4", "W5", "W6", "V"];
// W7 needs a redis-server and runs the crawl four times: only when asked for by name.
const KNOWN = [...ALL, "W7"];
const selected = flags.only ? flags.only.split(",").map((name) => name.trim()) : ALL;
for (const name of selected) if (!KNOWN.includes(name)) usage(`--only: unknown workload \`${name}\` (known: ${KNOWN.join(", ")})`);
const SIZES = flags.quick
  ? { W1: 2_000, W1s: 2_000, W2: 1_000, W3: 100_000, C1: SITE_PAGES / 10, W4: 1_000, W5: SITE_PAGES / 10, W6: 2_000 }
  : { W1: 20_000, W1s: 20_000, W2: 5_000, W3: 1_000_000, C1: SITE_PAGES, W4: 10_000, W5: SITE_PAGES, W6: 20_000 };
if (flags["w5-pages"] !== undefined) {
  SIZES.W5 = Number(flags["w5-pages"]);
  if (!Number.isInteger(SIZES.W5) || SIZES.W5 < 1) usage(`--w5-pages must be an integer >= 1, got \`${flags["w5-pages"]}\``);
}
// W4's products (20 a list page); its crawl runs at the concurrency of W1 and C1.
const W4_CONCURRENCY = 64;
// W4 and V bring their own server (or none): the page server and its capacity check are for the others.
const needsPageServer = selected.some((name) => name !== "W4" && name !== "V");
// The three selectors of W1s: a text, an attribute (a URL, so resolution is compared too), an array of links.
const SELECTORS = ["h1=h1", "canonical=link[rel=canonical]@href", "links[]=a@href"];
// W3's full run is skipped when the base run says it would take longer than this: a bench that runs for
// an hour is a bench nobody runs.
const W3_BUDGET_SECONDS = Number(flags["w3-budget"]) || Number.POSITIVE_INFINITY;
// Short runs on a shared machine swing by tens of percent from one run to the next: W1 and W2 (a few
// seconds each) are run several times, alternating the two runners so that both meet the same noise.
const REPEAT = Number(flags.repeat);
if (!Number.isInteger(REPEAT) || REPEAT < 1) usage(`--repeat must be an integer >= 1, got \`${flags.repeat}\``);

function usage(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}
const log = (message) => process.stderr.write(`bench: ${message}\n`);

if (!existsSync(join(ROOT, "dist/cli/main.js"))) usage("dist/ is missing: run `npm run build` first (npm run bench does)");

// Cleanup, whatever the way out: the server and any measured child are process groups of our own.
let server = null;
function cleanupNow() {
  for (const child of running) killGroupNow(child);
  for (const child of server?.children ?? []) killGroupNow(child);
}
process.on("exit", cleanupNow);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(signal === "SIGINT" ? 130 : 143));

/**
 * Server capacity with two load-generator processes of 32 connections each for 3 s: one client thread
 * tops out below what a cluster or nginx serves, so one would measure the client.
 */
async function measureCapacity(origin, seconds) {
  const cpuBefore = server.cpuSeconds();
  const loaders = Array.from({ length: 2 }, () => {
    const child = spawn(
      process.execPath,
      [join(HERE, "capacity.mjs"), "--origin", origin, "--connections", "32", "--seconds", String(seconds)],
      {
        detached: true,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    running.add(child);
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (output += chunk));
    return once(child, "close").then(() => {
      running.delete(child);
      return JSON.parse(output);
    });
  });
  const results = await Promise.all(loaders);
  const elapsed = Math.max(...results.map((r) => r.seconds));
  const requests = results.reduce((sum, r) => sum + r.requests, 0);
  return { requestsPerSecond: requests / elapsed, serverCpuSeconds: server.cpuSeconds() - cpuBefore, seconds: elapsed };
}

/** One measured child: the row of the table. `against` is the server it runs against (W4 has its own). */
async function measure({ workload, runner, urls, args, stdinFile, stdoutFile, timeoutMs, server: against = server }) {
  log(`${workload} ${runner}: ${urls.toLocaleString("en-US")} URLs…`);
  const serverCpuBefore = against.cpuSeconds();
  const result = await runMeasured({ args, stdinFile, stdoutFile, timeoutMs });
  const serverCpuSeconds = against.cpuSeconds() - serverCpuBefore;
  let ok = null;
  if (stdoutFile === undefined) {
    // The floors print {done, ok, failed}.
    try {
      ok = JSON.parse(result.stdout.trim().split("\n").pop()).ok;
    } catch {}
  }
  if (result.exitCode !== 0 && result.stderr) log(`${workload} ${runner} stderr: ${result.stderr.trim().slice(-2000)}`);
  // The reason of a failed run in one line: its error line ("trawl: unknown option '--recipe'"), else the last.
  const lines = result.stderr.trim().split("\n");
  const failure = result.exitCode !== 0 || result.timedOut ? (lines.find((line) => /^trawl:|error/i.test(line)) ?? lines.pop()) : null;
  return {
    workload,
    runner,
    urls,
    ok,
    wallSeconds: result.wallSeconds,
    urlsPerSecond: urls / result.wallSeconds,
    cpuSeconds: result.cpuSeconds,
    userSeconds: result.userSeconds,
    systemSeconds: result.systemSeconds,
    peakRssMB: result.peakRssMB,
    serverCpuSeconds,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    ...(failure === null ? {} : { failure }),
  };
}

/**
 * One row for several runs of the same runner: the run of median wall time (its URLs/s and CPU), the
 * highest peak RSS of them all, the fewest URLs ok, and every run's figures under `runs`.
 */
function medianRun(runs) {
  if (runs.length === 1) return runs[0];
  const byWall = [...runs].sort((a, b) => a.wallSeconds - b.wallSeconds);
  // The middle run; of an even number, the slower of the two middle ones.
  const median = byWall[byWall.length >> 1];
  const oks = runs.map((run) => run.ok);
  return {
    ...median,
    ok: oks.includes(null) ? null : Math.min(...oks),
    peakRssMB: Math.max(...runs.map((run) => run.peakRssMB)),
    exitCode: runs.find((run) => run.exitCode !== 0)?.exitCode ?? 0,
    timedOut: runs.some((run) => run.timedOut),
    runs: runs.map(({ wallSeconds, cpuSeconds, peakRssMB, ok, exitCode, timedOut }) => ({
      wallSeconds,
      cpuSeconds,
      peakRssMB,
      ok,
      exitCode,
      timedOut,
    })),
  };
}

const floorArgs = (parser, urlFile, concurrency, selectors = [], sample) => [
  FLOOR,
  "--urls",
  urlFile,
  "-c",
  String(concurrency),
  "--parser",
  parser,
  ...selectors.flatMap((s) => ["-s", s]),
  ...(sample ? ["--sample", sample.file, "--sample-every", String(sample.every)] : []),
];
const trawlArgs = (concurrency, selectors = []) => [TRAWL, "-q", "-c", String(concurrency), ...selectors.flatMap((s) => ["-s", s])];

/** Runs trawl on a URL file piped to stdin, then reads its records back (after it has exited). */
async function measureTrawl({ workload, urls, urlFile, concurrency, selectors, sampleUrls, timeoutMs }) {
  const output = tempPath(`${workload}-trawl.ndjson`);
  const row = await measure({
    workload,
    runner: "trawl",
    urls,
    args: trawlArgs(concurrency, selectors),
    stdinFile: urlFile,
    stdoutFile: output,
    timeoutMs,
  });
  const summary = await summariseRecords(output, sampleUrls);
  rmSync(output, { force: true });
  row.ok = summary.ok;
  row.records = summary.records;
  return { row, samples: summary.samples };
}

/** Wall time (ms) of one `node <args>`, start to exit. */
function timeOnce(args) {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: "ignore" });
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited ${result.status}`);
  return performance.now() - started;
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Starts the page server of W1 … C1, checks its routes, measures its capacity and prints it; returns the
 * capacity figures.
 */
async function startPageServer() {
  server = await startServer(flags.server === "node" ? { prefer: "node" } : {});
  const { origin } = server;
  // Sanity: every route serves the page (a broken gzip route would otherwise show up as fast failures).
  for (const path of ["/p/0", "/gz/0", "/delay/0"]) {
    const response = await fetch(`${origin}${path}`);
    const body = await response.text();
    const bytes = Buffer.byteLength(body);
    const encoding = response.headers.get("content-encoding") ?? "identity";
    if (!response.ok || bytes !== server.pageBytes || (encoding === "gzip") !== path.startsWith("/gz/")) {
      throw new Error(`bench server: ${path} answered ${response.status}, ${bytes} bytes, ${encoding}`);
    }
  }
  // C1's site is generated by the Node server: nginx's catch-all would answer /site/ with the bench page.
  {
    const path = sitePath(SIZES.C1, 0);
    const response = await fetch(`${origin}${path}`);
    const body = await response.text();
    if (!response.ok || !body.includes("<title>Page 0</title>") || !body.includes(`href="${sitePath(SIZES.C1, 1)}"`)) {
      throw new Error(`bench server: ${path} answered ${response.status}, not the crawl site's root page`);
    }
  }
  // The first seconds of a Node server run cold (JIT, lazy module loading): warm it up, then measure.
  await measureCapacity(origin, 1);
  const capacity = await measureCapacity(origin, 3);
  console.log(`server: ${server.kind} on ${origin}, page ${server.pageBytes.toLocaleString("en-US")} bytes`);
  console.log(
    `server capacity: ${Math.round(capacity.requestsPerSecond).toLocaleString("en-US")} req/s ` +
      `(2 load processes × 32 keep-alive connections, ${capacity.seconds.toFixed(1)} s; server CPU ${capacity.serverCpuSeconds.toFixed(1)} s` +
      ` of ${(capacity.seconds * availableParallelism()).toFixed(1)} available, shared with the load processes)`,
  );
  // On a small machine server and client share the cores, so req/s alone says little: the server's CPU
  // cost per request says how much of the machine it takes from the runner being measured.
  const microsecondsPerRequest = (capacity.serverCpuSeconds * 1e6) / (capacity.requestsPerSecond * capacity.seconds);
  capacity.serverCpuMicrosecondsPerRequest = microsecondsPerRequest;
  console.log(
    `server cost: ${microsecondsPerRequest.toFixed(0)} µs CPU per request (≈ ${Math.round(1e6 / microsecondsPerRequest).toLocaleString("en-US")} req/s per core)`,
  );
  return capacity;
}

async function main() {
  const startedAt = performance.now();
  // Read before anything of ours runs. Every figure below is CPU-bound on a small machine: anything else
  // running (a test suite, another bench) skews them all.
  const [load] = loadavg();
  const machine = `${availableParallelism()} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}`;
  console.log(`machine: ${machine}`);
  console.log(
    `load average before the run: ${load.toFixed(2)}${load > 0.5 ? "  (WARNING: the machine is busy; figures will be low and noisy)" : ""}`,
  );
  const capacity = needsPageServer ? await startPageServer() : null;
  const origin = server?.origin;
  console.log(flags.quick ? "mode: --quick (smaller lists; the issue's targets are for the full run)\n" : "");
  console.log(tableHeader());
  const rows = [];
  const add = (row) => {
    rows.push(row);
    console.log(tableRow(row));
  };

  // W1 throughput and W2 latency: the three runners on the same list.
  for (const [workload, prefix, concurrency] of [
    ["W1", "/p/", 64],
    ["W2", "/delay/", 200],
  ]) {
    if (!selected.includes(workload)) continue;
    const urls = SIZES[workload];
    const urlFile = writeUrlFile(workload, origin, prefix, urls);
    const cheerioFloor = await measure({ workload, runner: "cheerio floor", urls, args: floorArgs("cheerio", urlFile, concurrency) });
    const floorRuns = [];
    const trawlRuns = [];
    for (let round = 0; round < REPEAT; round++) {
      floorRuns.push(await measure({ workload, runner: "fetch floor", urls, args: floorArgs("none", urlFile, concurrency) }));
      trawlRuns.push((await measureTrawl({ workload, urls, urlFile, concurrency })).row);
    }
    add(medianRun(floorRuns));
    add(cheerioFloor);
    add(medianRun(trawlRuns));
  }

  // W1s: three selectors; the cheerio floor samples every k-th URL so trawl's values can be compared.
  let identity = null;
  if (selected.includes("W1s")) {
    const urls = SIZES.W1s;
    const urlFile = writeUrlFile("W1s", origin, "/p/", urls);
    const sample = { file: tempPath("W1s-floor-sample.ndjson"), every: Math.max(1, Math.floor(urls / 200)) };
    add(await measure({ workload: "W1s", runner: "cheerio floor", urls, args: floorArgs("cheerio", urlFile, 64, SELECTORS, sample) }));
    const floorSample = existsSync(sample.file) ? readFloorSample(sample.file) : new Map();
    const { row, samples } = await measureTrawl({
      workload: "W1s",
      urls,
      urlFile,
      concurrency: 64,
      selectors: SELECTORS,
      sampleUrls: new Set(floorSample.keys()),
    });
    add(row);
    identity = compareSamples(floorSample, samples);
  }

  // W3 scale: trawl only, at N/10 then N, so RSS can be compared across a 10× longer list.
  let w3 = null;
  if (selected.includes("W3")) {
    const full = SIZES.W3;
    const base = full / 10;
    const urlFile = writeUrlFile("W3", origin, "/p/", full);
    const baseFile = writeUrlFile("W3-base", origin, "/p/", base);
    const baseRow = (await measureTrawl({ workload: "W3", urls: base, urlFile: baseFile, concurrency: 64 })).row;
    add(baseRow);
    w3 = { base: baseRow, full: null };
    const projected = full / baseRow.urlsPerSecond;
    if (baseRow.ok !== base) {
      // A failing base run would "project" an instant full run and burn minutes proving nothing.
      log(`W3: skipping ${full.toLocaleString("en-US")} URLs: the ${base.toLocaleString("en-US")}-URL run did not finish every URL ok`);
      w3.skipped = `the ${base.toLocaleString("en-US")}-URL run failed (exit ${baseRow.exitCode}, ${baseRow.ok} ok)`;
    } else if (projected > W3_BUDGET_SECONDS) {
      log(
        `W3: skipping ${full.toLocaleString("en-US")} URLs: trawl's rate projects ${Math.round(projected)} s (budget ${W3_BUDGET_SECONDS} s)`,
      );
      w3.skipped = `projected ${Math.round(projected)} s at ${Math.round(baseRow.urlsPerSecond)} URLs/s`;
    } else {
      // Twice the projection: slack for a slower tail, yet a hang still ends the bench.
      const row = (
        await measureTrawl({
          workload: "W3",
          urls: full,
          urlFile,
          concurrency: 64,
          timeoutMs: Math.min(Math.max(60, projected * 2), 7200) * 1000,
        })
      ).row;
      add(row);
      w3.full = row;
    }
    rmSync(urlFile, { force: true });
  }

  // C1 crawl: the site's root is the only input URL; trawl finds every other page by following links, so
  // the frontier (its pending queue spills to temp files past 50,000 items) and the seen set are measured
  // along with the fetching. Records are counted afterwards, each page exactly once.
  let crawl = null;
  if (selected.includes("C1")) {
    const pages = SIZES.C1;
    const output = tempPath("C1-trawl.ndjson");
    // The tree is 6 levels deep at 200,000 pages: --depth 12 never cuts it, --max-pages is the site's size.
    const args = [TRAWL, "--crawl", "--depth", "12", "--max-pages", String(pages), "-c", "64", "-q", `${origin}${sitePath(pages, 0)}`];
    // Slower than 100 pages/s (2,400 here on 2 busy cores) is a hang.
    const timeoutMs = Math.max(120, pages / 100) * 1000;
    const row = await measure({ workload: "C1", runner: "trawl crawl", urls: pages, args, stdoutFile: output, timeoutMs });
    crawl = await checkCrawlRecords(output, `${origin}${sitePath(pages)}`, pages);
    rmSync(output, { force: true });
    // The row counts what was fetched (the records), not what was asked for.
    row.urls = crawl.records;
    row.ok = crawl.ok;
    row.records = crawl.records;
    row.urlsPerSecond = crawl.records / row.wallSeconds;
    add(row);
  }

  // W7 fleet: C1's site by 1, 2 and 4 workers sharing a frontier in a private redis-server.
  let w7 = null;
  if (selected.includes("W7")) {
    const pages = flags["w7-pages"] ? Number(flags["w7-pages"]) : SIZES.C1;
    if (!Number.isInteger(pages) || pages < 1) usage(`--w7-pages must be an integer >= 1, got \`${flags["w7-pages"]}\``);
    const { runW7 } = await import("./w7.mjs");
    const baseline = pages === SIZES.C1 ? (rows.find((row) => row.workload === "C1") ?? null) : null;
    w7 = await runW7({ origin, pages, add, log, baseline, server });
  }
  // W5 link checks: C1's site, plain and checked.
  let w5 = null;
  if (selected.includes("W5")) w5 = await runW5({ pages: SIZES.W5, origin, measure, add });

  // W4 recipe crawl: the bookshop on a server of its own; the floor and trawl each checked against its truth.
  let w4 = null;
  if (selected.includes("W4")) w4 = await runW4({ products: SIZES.W4, concurrency: W4_CONCURRENCY, measure, add });

  // W6 repeat runs: W1s's list and selectors, the second run with the --cache file the first one filled.
  let w6 = null;
  if (selected.includes("W6")) w6 = await runW6({ urls: SIZES.W6, origin, concurrency: 64, selectors: SELECTORS, measure, add, floorArgs });

  // Start-up: interleaved, after one warm-up each, so both see the same file cache and CPU state.
  let version = null;
  if (selected.includes("V")) {
    log("V: trawl --version vs node -e 0, 10 runs each…");
    timeOnce(["-e", "0"]);
    timeOnce([TRAWL, "--version"]);
    const node = [];
    const trawl = [];
    for (let i = 0; i < 10; i++) {
      node.push(timeOnce(["-e", "0"]));
      trawl.push(timeOnce([TRAWL, "--version"]));
    }
    version = { nodeMs: median(node), trawlMs: median(trawl) };
    version.ratio = version.trawlMs / version.nodeMs;
    console.log(`\nstart-up: node -e 0 ${version.nodeMs.toFixed(1)} ms, trawl --version ${version.trawlMs.toFixed(1)} ms (medians of 10)`);
  }

  const find = (workload, runner) => rows.find((row) => row.workload === workload && row.runner === runner);
  const targets = evaluateTargets({ find, identity, version, w3, crawl, w4 });
  console.log(`\ntargets (issue 3):\n${targetsText(targets)}`);
  if (w3?.skipped) console.log(`W3 at ${SIZES.W3.toLocaleString("en-US")} URLs skipped: ${w3.skipped}`);
  if (crawl) console.log(crawlCheckText(crawl));
  if (w4) console.log(w4CheckText(w4));
  if (w6) console.log(w6Text(w6));
  if (w7) console.log((await import("./w7.mjs")).w7Text(w7));
  if (w5) console.log(w5Text(w5));
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  console.log(`\nbench took ${elapsedSeconds.toFixed(0)} s`);

  if (flags.json) {
    const document = {
      date: new Date().toISOString(),
      machine,
      loadAverageBefore: load,
      quick: flags.quick,
      server: server && { kind: server.kind, pageBytes: server.pageBytes, capacity },
      rows,
      identity,
      w3: w3 && { baseUrls: w3.base?.urls, fullUrls: SIZES.W3, skipped: w3.skipped ?? null },
      c1: crawl && { depth: 12, maxPages: crawl.pages, concurrency: 64, ...crawl },
      w6: w6 && {
        urls: w6.urls,
        check: w6.check,
        firstOverRepeat: w6.firstOverRepeat,
        firstOverRepeatCpu: w6.firstOverRepeatCpu,
        repeatOverFloor: w6.repeatOverFloor,
        firstOverPlain: w6.firstOverPlain,
      },
      w4: w4 && { ...w4.shape, pages: w4.pages, concurrency: w4.concurrency, floor: w4.floor.check, trawl: w4.trawl.check },
      w7,
      w5: w5 && { pages: w5.pages, concurrency: 64, plain: w5.plain.check, checked: w5.checked.check },
      version,
      targets,
      elapsedSeconds,
    };
    writeFileSync(flags.json, `${JSON.stringify(document, null, 2)}\n`);
    log(`wrote ${flags.json}`);
  }
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await Promise.all([...running].map((child) => killGroup(child)));
  await server?.stop();
  cleanupNow();
}
