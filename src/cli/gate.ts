/**
 * What a run decides as a CI step (SPEC §9): which failures fail it (`--fail-on`), the JUnit report
 * (`--junit`), the failed URLs of the step summary, and the lines of the summary JSON that say so.
 * run.ts feeds it every record written and asks it for the exit status.
 */
import type { ErrorCode } from "../errors.js";
import type { TrawlOptions } from "../options.js";
import type { TrawlRecord } from "../record.js";
import type { RunSummary } from "../stats.js";
import { EXIT_CODE } from "./exit-code.js";
import { FailedUrls } from "./failed-urls.js";
import type { CliSettings } from "./flags.js";
import { JunitReport } from "./junit.js";
import { assertWritableFile } from "./writable.js";

/** What the summary JSON says of the gate. */
export interface GateSummary {
  /** `--accept`, as statuses and ranges (`200-299`, `403`). */
  accept: string[];
  /** `--fail-on`: the codes that fail the run; null when every code does. */
  failOn: ErrorCode[] | null;
  /** Failed records whose code fails the run. */
  fatal: number;
}

export class Gate {
  readonly failedUrls: FailedUrls;
  readonly isFatal: (code: ErrorCode) => boolean;

  private constructor(
    private readonly options: TrawlOptions,
    private readonly settings: CliSettings,
    private readonly junit: JunitReport | null,
  ) {
    const failOn = settings.failOn === null ? null : new Set<ErrorCode>(settings.failOn);
    this.isFatal = failOn === null ? () => true : (code) => failOn.has(code);
    this.failedUrls = new FailedUrls(this.isFatal);
  }

  /** Checks `--junit` can be written (a usage error naming it otherwise) and opens it. */
  static async open(options: TrawlOptions, settings: CliSettings): Promise<Gate> {
    const path = settings.junitFile;
    if (path !== undefined) await assertWritableFile(path, "--junit");
    const gate = new Gate(options, settings, null);
    return path === undefined ? gate : new Gate(options, settings, await JunitReport.open(path, gate.isFatal));
  }

  /** Takes a record written to the output; a promise when the JUnit file asks the run to wait. */
  add(record: TrawlRecord): Promise<void> | undefined {
    this.failedUrls.add(record);
    return this.junit?.add(record);
  }

  /** Failed records (aborted ones too) whose code fails the run, by the summary's counts. */
  fatal(summary: RunSummary): number {
    if (this.settings.failOn === null) return summary.failed + summary.aborted;
    return this.settings.failOn.reduce((sum, code) => sum + (summary.byCode[code] ?? 0), 0);
  }

  summaryFields(summary: RunSummary): GateSummary {
    const accept = (this.options.accept ?? [[200, 299]]).map((entry) => (Array.isArray(entry) ? `${entry[0]}-${entry[1]}` : String(entry)));
    return { accept, failOn: this.settings.failOn, fatal: this.fatal(summary) };
  }

  /** A line for the stderr summary when some failures do not fail the run; else "". */
  summaryLine(summary: RunSummary): string {
    const failed = summary.failed + summary.aborted;
    const fatal = this.fatal(summary);
    if (this.settings.failOn === null || failed === fatal) return "";
    return `  ${failed - fatal} of ${failed} failures are not in --fail-on (${this.settings.failOn.join(",")}): reported, not fatal\n`;
  }

  /** Ends the JUnit report (a write failure is said on stderr: the records are what matters). */
  async finish(summary: RunSummary): Promise<void> {
    await this.junit?.close(summary.elapsedMs).catch((error: Error) => {
      process.stderr.write(`trawl: cannot write --junit ${this.settings.junitFile} (${error.message})\n`);
    });
  }

  /** The exit status of a run that ended by itself: 1 when a fatal failure is left (and not allowed). */
  exitCode(summary: RunSummary): number {
    return this.fatal(summary) > 0 && !this.settings.allowFailures ? EXIT_CODE.failures : EXIT_CODE.ok;
  }
}
