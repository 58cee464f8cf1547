/**
 * The CLI's side of a crawl shared by several processes (SPEC §11): `--frontier`, `--job` and
 * `--lease` as the library's `frontier` option, and the job commands `--status` and `--export`,
 * which read the job in Redis and fetch nothing (so they take no URLs).
 */
import { UsageError } from "../errors.js";
import type { FrontierOptions } from "../options.js";
import { EXIT_CODE, onStopSignals } from "./exit-code.js";
import type { RawFlags } from "./flags.js";
import { parseDuration } from "./values.js";

/** The `frontier` option of a crawl run, or undefined without `--frontier`; `raw` gets the text typed. */
export function frontierOption(flags: RawFlags, raw: Map<string, string>, crawling: boolean): FrontierOptions | undefined {
  if (flags.keep) throw new UsageError("--keep needs --export");
  if (flags.frontier === undefined) {
    if (flags.job !== undefined) throw new UsageError("--job needs --frontier");
    if (flags.lease !== undefined) throw new UsageError("--lease needs --frontier");
    return undefined;
  }
  if (flags.job === undefined) throw new UsageError("--frontier needs --job <name>: every worker of one crawl gives the same name");
  if (!crawling)
    throw new UsageError("--frontier shares a crawl: give --crawl, --follow or --recipe too (--crawl --depth 0 shares a plain list)");
  const frontier: FrontierOptions = { url: flags.frontier, job: flags.job };
  if (flags.lease !== undefined) {
    raw.set("frontier.leaseMs", flags.lease);
    frontier.leaseMs = parseDuration(flags.lease) ?? Number.NaN;
  }
  return frontier;
}

/** True when the command line asks for a job command rather than a crawl. */
export function isJobCommand(flags: RawFlags): boolean {
  return flags.export !== undefined || flags.status === true;
}

/** The job a command names, checked: no URL source, one command, `--frontier` and `--job` both given. */
function jobOf(urls: string[], flags: RawFlags): { url: string; job: string } {
  const command = flags.status ? "--status" : "--export";
  if (flags.status && flags.export !== undefined) throw new UsageError("--status and --export are two commands: give one");
  const source = urls.length > 0 ? "URL arguments" : flags.input ? "--input" : flags.sitemap ? "--sitemap" : null;
  if (source) throw new UsageError(`${command} reads the job in Redis and fetches nothing: it takes no ${source}`);
  if (flags.keep && !flags.export) throw new UsageError("--keep needs --export");
  if (flags.frontier === undefined || flags.job === undefined)
    throw new UsageError(`${command} needs --frontier <redis-url> and --job <name>`);
  return { url: flags.frontier, job: flags.job };
}

/**
 * `--status`: the job's counts as one JSON object on stdout. `--export <file>`: the committed
 * records appended to the file, a line on stderr saying how many and whether the export is complete.
 * Returns the exit status; an unknown job or an unreachable Redis is a UsageError.
 */
export async function runJobCommand(urls: string[], flags: RawFlags): Promise<number> {
  const { url, job } = jobOf(urls, flags);
  const { exportJob, jobStatus } = await import("../crawl/shared/jobs.js");
  if (flags.status) {
    const { exists, ...counts } = await jobStatus({ url, job });
    if (!exists) throw new UsageError(`no job "${job}" in that Redis (never started, or removed after a complete --export)`);
    process.stdout.write(`${JSON.stringify({ job, ...counts })}\n`);
    return EXIT_CODE.ok;
  }
  const file = flags.export as string;
  const controller = new AbortController();
  let signalExit = 0;
  const stopListening = onStopSignals((exitCode) => {
    signalExit = exitCode;
    controller.abort();
  });
  try {
    const result = await exportJob({ url, job, file, keep: flags.keep ?? false, signal: controller.signal }).catch(
      (error: NodeJS.ErrnoException) => {
        // The file's own failures (a missing folder, a full disk) are said with the flag, in one line.
        if (typeof error.code === "string" && error.syscall !== undefined)
          throw new UsageError(`--export ${file}: cannot write it (${error.code})`);
        throw error;
      },
    );
    if (!flags.quiet) {
      const state = result.complete
        ? `the crawl is over and every record is in the file${result.removed ? "; the job's keys are removed" : " (--keep: the job's keys stay)"}`
        : "the crawl is not over: run --export again to continue";
      process.stderr.write(`trawl: ${result.written} records exported to ${file}; ${state}\n`);
    }
  } finally {
    stopListening();
  }
  return signalExit || EXIT_CODE.ok;
}
