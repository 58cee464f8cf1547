// Formatting only: the results table, the issue's targets as met / not met, C1's and W4's record checks, and
// the JSON document.
import { describeCheck } from "../../fixtures/bookshop/check-records.mjs";

const COLUMNS = [
  ["workload", 9, (row) => row.workload],
  ["runner", 14, (row) => row.runner],
  ["URLs", 9, (row) => row.urls.toLocaleString("en-US")],
  ["ok", 9, (row) => (row.ok === null ? "?" : row.ok.toLocaleString("en-US"))],
  ["wall s", 8, (row) => fixed(row.wallSeconds, 2)],
  ["URLs/s", 8, (row) => fixed(row.urlsPerSecond, 0)],
  ["CPU s", 7, (row) => fixed(row.cpuSeconds, 2)],
  ["peak RSS MB", 11, (row) => fixed(row.peakRssMB, 0)],
  ["server CPU s", 12, (row) => fixed(row.serverCpuSeconds, 2)],
];

function fixed(value, digits) {
  return Number.isFinite(value) ? value.toFixed(digits) : "n/a";
}

export function tableHeader() {
  const header = COLUMNS.map(([name, width], i) => (i < 2 ? name.padEnd(width) : name.padStart(width))).join("  ");
  return `${header}\n${"-".repeat(header.length)}`;
}

export function tableRow(row) {
  const cells = COLUMNS.map(([, width, cell], i) => (i < 2 ? cell(row).padEnd(width) : cell(row).padStart(width)));
  const notes = [
    row.runs ? `median of ${row.runs.length}` : "",
    row.timedOut ? "TIMED OUT" : "",
    row.exitCode !== 0 ? `exit ${row.exitCode}` : "",
  ].filter(Boolean);
  return cells.join("  ") + (notes.length ? `  (${notes.join(", ")})` : "");
}

/**
 * The issue's targets, each {name, target, value, met}; `met` is null when this run measured too little to
 * judge it (--only, --quick, or a skipped run). A ratio only counts when trawl finished every URL ok.
 */
export function evaluateTargets({ find, identity, version, w3, crawl, w4 }) {
  const complete = (row) => row && !row.timedOut && row.ok === row.urls;
  const ratio = (a, b) => (a && b ? a / b : null);
  const judge = (name, target, value, test, rowsNeeded, format = (v) => v.toFixed(2)) => {
    const measured = value !== null && value !== undefined && Number.isFinite(value);
    const usable = measured && rowsNeeded.every(complete);
    return {
      name,
      target,
      value: measured ? format(value) : "n/a",
      met: usable ? test(value) : measured ? false : null,
      ...(measured && !usable ? { note: "a run did not complete every URL ok" } : {}),
    };
  };

  const w1Trawl = find("W1", "trawl");
  const w1Fetch = find("W1", "fetch floor");
  const w1sTrawl = find("W1s", "trawl");
  const w1sCheerio = find("W1s", "cheerio floor");
  const w2Trawl = find("W2", "trawl");
  const w2Fetch = find("W2", "fetch floor");
  const w3Base = w3?.base;
  const w3Full = w3?.full;
  const targets = [
    judge("W1 trawl / fetch floor URLs/s", ">= 0.6", ratio(w1Trawl?.urlsPerSecond, w1Fetch?.urlsPerSecond), (v) => v >= 0.6, [
      w1Trawl,
      w1Fetch,
    ]),
    judge("W1s trawl / cheerio floor URLs/s", ">= 3", ratio(w1sTrawl?.urlsPerSecond, w1sCheerio?.urlsPerSecond), (v) => v >= 3, [
      w1sTrawl,
      w1sCheerio,
    ]),
    {
      name: "W1s extracted values identical",
      target: "all sampled URLs",
      value: identity ? `${identity.identical}/${identity.compared}` : "n/a",
      met: identity ? identity.compared > 0 && identity.identical === identity.compared : null,
      ...(identity?.firstDifference ? { note: `first difference: ${JSON.stringify(identity.firstDifference)}` } : {}),
    },
    judge("W2 trawl wall / fetch floor wall", "<= 1", ratio(w2Trawl?.wallSeconds, w2Fetch?.wallSeconds), (v) => v <= 1, [w2Trawl, w2Fetch]),
    judge(
      `W3 peak RSS MB at ${w3Full?.urls.toLocaleString("en-US") ?? "N"} URLs`,
      "<= 200",
      w3Full?.peakRssMB,
      (v) => v <= 200,
      [w3Full],
      (v) => v.toFixed(0),
    ),
    judge(
      `W3 RSS(${w3Full?.urls.toLocaleString("en-US") ?? "N"}) / RSS(${w3Base?.urls.toLocaleString("en-US") ?? "N/10"})`,
      "<= 1.2",
      ratio(w3Full?.peakRssMB, w3Base?.peakRssMB),
      (v) => v <= 1.2,
      [w3Full, w3Base],
    ),
    judge(
      "W1 trawl peak RSS MB",
      "<= 150",
      w1Trawl?.peakRssMB,
      (v) => v <= 150,
      [w1Trawl],
      (v) => v.toFixed(0),
    ),
    {
      ...judge("trawl --version / node -e 0 wall", "<= 1.5", version ? version.ratio : null, (v) => v <= 1.5, []),
      ...(version ? { note: `medians ${version.trawlMs.toFixed(1)} ms vs ${version.nodeMs.toFixed(1)} ms` } : {}),
    },
    crawlTarget(find("C1", "trawl crawl"), crawl),
    w4Target(w4),
  ];
  return targets;
}

/**
 * C1 has no RSS figure to meet (only "bounded"): the line shows the figure, and is met when the crawl ended
 * on its own with exactly one record per page of the site.
 */
function crawlTarget(row, crawl) {
  const name = "C1 crawl peak RSS MB";
  if (!row || !crawl) return { name, target: "bounded", value: "n/a", met: null };
  const pages = crawl.pages.toLocaleString("en-US");
  const records = crawl.records.toLocaleString("en-US");
  const failure = row.timedOut ? "timed out" : row.exitCode !== 0 ? `exit ${row.exitCode}` : null;
  const met = crawl.exact && failure === null;
  let verdict = `records == ${pages}, each page once`;
  if (!crawl.exact) verdict = `NOT MET: ${records} records, not ${pages} pages once each`;
  else if (failure) verdict = `NOT MET: records == ${pages}, but ${failure}`;
  return {
    name,
    target: "bounded",
    value: Number.isFinite(row.peakRssMB) ? row.peakRssMB.toFixed(0) : "n/a",
    met,
    verdict,
  };
}

/** Why a measured run failed, or null: "timed out", "exit 2: error: unknown option '--recipe'". */
function runFailure(row) {
  if (row.timedOut) return "timed out";
  if (row.exitCode !== 0) return `exit ${row.exitCode}${row.failure ? `: ${row.failure}` : ""}`;
  return null;
}

/**
 * W4's ratio of pages/s counts only when both outputs match the shop's truth exactly: a trawl that failed
 * (no --recipe yet, a crash) or extracted wrong values is "NOT MET", with the reason, never a crash.
 */
function w4Target(w4) {
  const name = "W4 trawl / cheerio floor pages/s";
  const target = ">= 5";
  if (!w4) return { name, target, value: "n/a", met: null };
  const { floor, trawl } = w4;
  const ratio = trawl.row.urlsPerSecond / floor.row.urlsPerSecond;
  const value = Number.isFinite(ratio) && ratio > 0 ? ratio.toFixed(2) : "n/a";
  const failed = runFailure(trawl.row);
  if (failed) return { name, target, value, met: false, verdict: "NOT MET: trawl failed", note: `trawl ${failed}` };
  if (!trawl.check.exact)
    return { name, target, value, met: false, verdict: "NOT MET: trawl's records are wrong", note: describeCheck(trawl.check) };
  if (runFailure(floor.row) || !floor.check.exact) {
    return {
      name,
      target,
      value,
      met: false,
      verdict: "NOT MET: the floor failed (a bench bug)",
      note: runFailure(floor.row) ?? describeCheck(floor.check),
    };
  }
  return { name, target, value, met: ratio >= 5 };
}

/** W4 in a few lines: each side's pages/s, peak RSS and check, and the ratio. */
export function w4CheckText({ shape, pages, concurrency, floor, trawl }) {
  const count = (value) => value.toLocaleString("en-US");
  const side = (label, { row, check }) => {
    const failed = runFailure(row);
    const speed = `${fixed(row.urlsPerSecond, 0)} pages/s, peak RSS ${fixed(row.peakRssMB, 0)} MB`;
    return `  ${label}: ${failed ? `${label} failed (${failed}); ` : ""}${speed}; ${describeCheck(check)}`;
  };
  const ratio = trawl.row.urlsPerSecond / floor.row.urlsPerSecond;
  const rssRatio = runFailure(trawl.row) ? Number.NaN : trawl.row.peakRssMB / floor.row.peakRssMB;
  return [
    `W4 bookshop: ${count(shape.products)} products, ${count(pages - shape.products)} list pages (${count(pages)} pages), -c ${concurrency}`,
    side("cheerio floor", floor),
    side("trawl", trawl),
    `  ratio trawl / floor: ${Number.isFinite(ratio) && ratio > 0 ? `${ratio.toFixed(2)} ×` : "n/a"} pages/s, ${fixed(rssRatio, 2)} × peak RSS`,
  ].join("\n");
}

/** C1's record check in one line: what the target line's verdict sums up. */
export function crawlCheckText(crawl) {
  const count = (value) => value.toLocaleString("en-US");
  const firsts = [
    crawl.firstMissing && `first missing ${crawl.firstMissing}`,
    crawl.firstDuplicate && `first twice ${crawl.firstDuplicate}`,
    crawl.firstStray && `first stray ${crawl.firstStray}`,
  ].filter(Boolean);
  return (
    `C1 records: ${count(crawl.records)} (${count(crawl.ok)} ok), ${count(crawl.distinct)} distinct pages of ${count(crawl.pages)}, ` +
    `${count(crawl.duplicates)} twice, ${count(crawl.missing)} missing, ${count(crawl.stray)} stray` +
    (firsts.length ? `; ${firsts.join(", ")}` : "")
  );
}

export function targetsText(targets) {
  const width = Math.max(...targets.map((t) => t.name.length));
  return targets
    .map((t) => {
      const verdict = t.met === null ? "not measured" : (t.verdict ?? (t.met ? "met" : "NOT MET"));
      const line = `${t.name.padEnd(width)}  ${t.value.padStart(9)}  (target ${t.target})  ${verdict}`;
      return t.note ? `${line}\n${" ".repeat(width + 2)}${t.note}` : line;
    })
    .join("\n");
}
