import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { checkCacheOption } from "./cache.js";
import { UsageError } from "../errors.js";
import { assertReadable, assertReadableFile, type InputCounter, readInput } from "./input.js";
import type { ResolvedOptions, TrawlOptions } from "../options.js";
import type { TrawlRecord } from "../record.js";
import { cutPartialLine, type ResumeState, readResumeState } from "./resume.js";
import { RunStats, type RunSummary } from "../stats.js";
import { prepareSaveDir } from "../records/save-body.js";
import { trawlResolved } from "../trawl.js";
import type { CliSettings } from "./flags.js";
import { Annotations, appendStepSummary } from "./github.js";
import { Gate, type GateSummary } from "./gate.js";
import { EXIT_CODE, onStopSignals } from "./exit-code.js";
import { Output } from "./output.js";
import { assertDistinctFiles, assertWritableFile } from "./writable.js";
import { terminalSafe, terminalSafeJson } from "./terminal-text.js";
import { flagOf } from "./option-flags.js";
import { attemptLine, type Spinner, startSpinner, summaryText } from "./progress.js";
import { csvFormat } from "./formats/csv.js";
import { csvLayout, type OptionalColumn } from "./formats/csv-layout.js";
import type { RecordFormat } from "./formats/format.js";
import { jsonFormat } from "./formats/json.js";
import { ndjsonFormat } from "./formats/ndjson.js";
import { urlsFormat } from "./formats/urls.js";

/** The optional record keys a run's records carry (their CSV columns). */
function optionalColumns(resolved: ResolvedOptions): OptionalColumn[] {
  const columns: OptionalColumn[] = [];
  if (resolved.crawl !== null) columns.push("depth", "parent");
  if (resolved.saveDir !== undefined) columns.push("file");
  if (resolved.kinds !== null) columns.push("kind");
  if (resolved.cache !== null) columns.push("cached");
  if (resolved.crawl?.check) columns.push("linkedFrom");
  return columns;
}

function formatFor(options: TrawlOptions, resolved: ResolvedOptions, settings: CliSettings, onTerminal: boolean): RecordFormat {
  if (settings.format === "csv") return csvFormat(csvLayout(settings.selectKeys, optionalColumns(resolved), options.each), onTerminal);
  if (settings.format === "urls") return urlsFormat();
  const format = settings.format === "json" ? jsonFormat() : ndjsonFormat();
  return onTerminal ? { ...format, record: (record, index) => terminalSafeJson(format.record(record, index)) } : format;
}

/**
 * One CLI run: reads the inputs, streams records to the output, draws progress and the summary on
 * stderr, and returns the exit status. SIGINT/SIGTERM stop taking URLs, abort what is in flight and
 * still flush every finished record; a second signal exits at once.
 */
export async function run(options: TrawlOptions, resolved: ResolvedOptions, settings: CliSettings): Promise<number> {
  assertDistinctFiles([
    ["--cache", options.cache],
    ["--output", settings.output],
    ["--junit", settings.junitFile],
    ["--summary", settings.summaryFile],
  ]);
  await assertReadable(settings.sources);
  for (const sitemap of options.sitemaps ?? []) if (!/^https?:/i.test(sitemap)) await assertReadableFile(sitemap, "--sitemap");
  if (settings.summaryFile !== undefined) await assertWritableFile(settings.summaryFile, "--summary");
  if (settings.junitFile !== undefined) await assertWritableFile(settings.junitFile, "--junit");
  // Checked before the output file is opened (and truncated): a bad --save stops the run untouched.
  if (options.saveDir !== undefined) await prepareSaveDir(options.saveDir);
  await checkCacheOption(options);
  const resume = settings.resume && settings.output !== undefined ? await prepareResume(settings.output) : null;
  const output = settings.output === undefined ? Output.stdout() : await openFile(settings.output, resume !== null);
  const format = formatFor(options, resolved, settings, settings.output === undefined && Boolean(process.stdout.isTTY));
  // --fail-on, --junit and the failed URLs of the step summary (SPEC §9).
  const gate = await Gate.open(options, settings);
  const stats = new RunStats();
  const controller = new AbortController();
  let signalExit = 0;
  const stopListening = onStopSignals((exitCode) => {
    signalExit = exitCode;
    stats.interrupted = true;
    controller.abort();
  });

  // A terminal that reports no width (`script` without a real terminal, some CI log viewers) makes
  // ora redraw without end: no spinner there.
  const showProgress = process.stderr.isTTY && (process.stderr.columns ?? 0) > 0 && !settings.quiet && !process.env.CI;
  let started = 0;
  // Failed records held by link checks until the crawl ends (and not yet written): the spinner counts
  // them as done and failed, and no longer in flight, from the moment they are held.
  const held = { records: 0, fetched: 0 };
  let queued = 0;
  let spinner: Spinner | null = null;
  const counter: InputCounter = { lines: 0, done: false };
  const input = readInput(settings.sources, process.stdin, controller.signal, counter);
  // Whether the run follows links (`--crawl`, `--follow` or a recipe), as the library decided it.
  const crawling = resolved.crawl !== null;
  const journal = await crawlJournal(resolved, settings, resume !== null);
  // The options as parseFlags resolved them (once: a --cookies pipe is read once), with the run's hooks.
  const records = trawlResolved(input, {
    ...resolved,
    crawl: journal && resolved.crawl ? { ...resolved.crawl, journal } : resolved.crawl,
    skip: resume ? (key: string) => resume.done.has(key) : resolved.skip,
    signal: controller.signal,
    onWarning: (warning) => {
      if (!settings.quiet) process.stderr.write(`trawl: warning: ${flagOf(warning.option)} ${terminalSafe(warning.message, 400)}\n`);
    },
    onStart: () => {
      started++;
    },
    ...(crawling
      ? {
          onQueued: () => {
            queued++;
          },
        }
      : {}),
    onHeld: (record) => {
      held.records++;
      // A missing fragment's record (`page#id`) stands for no URL the crawl queued.
      if (record.error?.code === "EFRAGMENT") queued++;
      if (record.attempts > 0) held.fetched++;
    },
    ...(settings.verbose && !settings.quiet ? { onAttempt: (event) => process.stderr.write(attemptLine(event)) } : {}),
  });
  let fetched = 0;
  if (showProgress) {
    spinner = await startSpinner(stats, () => ({
      inFlight: started - fetched - held.fetched,
      // A crawl's total so far is what it has queued, and may grow until its end.
      read: !crawling ? counter.lines : resolved.frontier === null ? queued : null,
      inputDone: crawling ? false : counter.done,
      held: held.records,
    }));
  }
  const stepSummary = process.env.GITHUB_STEP_SUMMARY || undefined;
  const annotations = stepSummary ? new Annotations(gate.isFatal) : null;

  let written = 0;
  // Returns a promise only when the output asks the run to wait (see Output.write).
  const emit = (record: TrawlRecord): Promise<void> | undefined => {
    const text = written === 0 ? format.begin() + format.record(record, written) : format.record(record, written);
    written++;
    return output.write(text);
  };
  try {
    for await (const record of records) {
      // While checking links, every failed record was held, and comes out now.
      if (!record.ok && held.records > 0) {
        held.records--;
        if (record.attempts > 0) held.fetched--;
      }
      // With --resume, or a crawl that keeps a journal to be resumed by, an aborted URL is left
      // unrecorded, so the next run fetches it again (and, crawling, finds its links).
      if (record.attempts > 0) fetched++;
      if ((resume || journal) && record.error?.code === "EABORTED") {
        stats.add(record);
        continue;
      }
      stats.add(record);
      annotations?.add(record);
      const room = emit(record);
      if (room) await room;
      const reportRoom = gate.add(record);
      if (reportRoom) await reportRoom;
      if (output.failed) controller.abort();
    }
  } finally {
    spinner?.stop();
    stopListening();
  }
  // No URL at all is a usage error; a sitemap that (after --resume) leaves nothing to do is not.
  // A worker of a shared crawl with no URL of its own took its work from the job.
  if (
    counter.lines === 0 &&
    written === 0 &&
    signalExit === 0 &&
    resolved.sitemaps.length === 0 &&
    resolved.startUrls.length === 0 &&
    resolved.frontier === null
  ) {
    throw new UsageError("no URLs in the input (it is empty or holds only comments)");
  }
  if (written === 0) await output.write(format.begin());
  await output.write(format.end(written));
  await output.close().catch(() => undefined);
  const summary = stats.summary();
  await gate.finish(summary);
  if (output.failed) return signalExit || EXIT_CODE.failures;
  // A crawl that ran to its end has nothing left to resume.
  if (journal && signalExit === 0) await rm(journal, { force: true });
  if (!settings.quiet) process.stderr.write(summaryText(summary) + gate.summaryLine(summary));
  if (settings.summaryFile !== undefined) await writeSummaryFile(settings.summaryFile, { ...summary, ...gate.summaryFields(summary) });
  if (stepSummary) {
    process.stderr.write(annotations?.text() ?? "");
    await appendStepSummary(stepSummary, summary, gate.failedUrls).catch((error: Error) => {
      process.stderr.write(`trawl: cannot append to GITHUB_STEP_SUMMARY (${error.message})\n`);
    });
  }
  if (signalExit !== 0) return signalExit;
  return gate.exitCode(summary);
}

async function writeSummaryFile(path: string, summary: RunSummary & Partial<GateSummary>): Promise<void> {
  try {
    await writeFile(path, `${JSON.stringify(summary, null, 2)}\n`);
  } catch (error) {
    process.stderr.write(`trawl: cannot write --summary ${path} (${(error as Error).message})\n`);
  }
}

/**
 * A crawl written to an NDJSON file keeps a journal beside it (`<output>.crawl`) while it runs, so
 * that `--resume` can continue it (crawl/journal.ts). A run that is not resuming starts a new one.
 * A run checking links keeps none: it cannot be resumed (flags.ts).
 */
async function crawlJournal(resolved: ResolvedOptions, settings: CliSettings, resuming: boolean): Promise<string | undefined> {
  if (resolved.crawl === null || settings.output === undefined || settings.format !== "ndjson") return undefined;
  if (resolved.crawl.check) return undefined;
  const journal = `${settings.output}.crawl`;
  if (!resuming) await rm(journal, { force: true });
  else if (!existsSync(journal) && !settings.quiet) {
    process.stderr.write(`trawl: warning: no crawl journal ${journal}: pages linked only from pages already recorded will not be found\n`);
  }
  return journal;
}

/** Repairs a crash-cut last line and reads which URLs the output already holds. */
async function prepareResume(path: string): Promise<ResumeState> {
  try {
    await cutPartialLine(path);
    return await readResumeState(path);
  } catch (error) {
    throw new UsageError(`--resume ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
}

async function openFile(path: string, append: boolean): Promise<Output> {
  try {
    return await Output.file(path, append);
  } catch (error) {
    throw new UsageError(`--output ${path}: cannot write it (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
}
