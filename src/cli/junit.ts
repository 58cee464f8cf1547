/**
 * `--junit <file>` (SPEC §9): a JUnit XML report, one test case per record, for the test reporters CI
 * systems already have. It follows the schema Jenkins' xUnit plugin publishes (junit-10.xsd), which
 * the common reporters read (GitHub Actions' test-reporter actions, GitLab, Azure, CircleCI):
 * `testsuites` › one `testsuite` › `testcase` (name = the URL). A failure carries its code (`type`),
 * message and the pages that link to it; a failure that does not fail the run (not in `--fail-on`)
 * is `skipped`, so a reporter's verdict agrees with the exit status.
 *
 * Test cases are written as records come (memory stays flat on a long run); the counts, known only
 * at the end, are written into a header space reserved at the start of the file.
 */
import { type FileHandle, open } from "node:fs/promises";
import type { TrawlRecord } from "../record.js";
import type { ErrorCode } from "../errors.js";

/** Bytes reserved for the XML declaration and the two opening tags: ample for any count. */
const HEADER_BYTES = 512;
/** Test cases are buffered up to this much text before a write. */
const FLUSH_CHARS = 64 * 1024;

// XML 1.0 §2.2 Char: no C0 control but tab, LF and CR; no lone surrogate; no U+FFFE or U+FFFF.
const NOT_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the characters XML cannot hold is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text safe in XML 1.0 content or attributes: the five special characters escaped, and characters
 * XML cannot hold at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) replaced by U+FFFD.
 */
export function xmlEscape(text: string): string {
  return text
    .replace(NOT_XML, "\ufffd")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;")
    .replaceAll("\r", "&#13;")
    .replaceAll("\n", "&#10;")
    .replaceAll("\t", "&#9;");
}

/** Text for element content: as `xmlEscape`, but line ends kept (a failure's text has several lines). */
function xmlContent(text: string): string {
  return xmlEscape(text).replaceAll("&#10;", "\n");
}

/** Seconds with millisecond precision, as the schema's SUREFIRE_TIME (`12.345`). */
const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

/** A failure's text: the message, the status, and every page known to link to the URL. */
function failureText(record: TrawlRecord): string {
  const lines = [record.error?.message ?? "failed"];
  if (record.status !== null) lines.push(`HTTP status: ${record.status}`);
  const linkedFrom = record.linkedFrom;
  if (linkedFrom && linkedFrom.urls.length > 0) {
    const total = linkedFrom.urls.length + linkedFrom.more;
    lines.push(`linked from ${total} page${total === 1 ? "" : "s"}:`, ...linkedFrom.urls);
    if (linkedFrom.more > 0) lines.push(`… and ${linkedFrom.more} more`);
  } else if (record.parent) {
    lines.push(`found on: ${record.parent}`);
  }
  return lines.join("\n");
}

/** One record's `<testcase>`; `fatal` says whether its failure fails the run. */
export function testCase(record: TrawlRecord, fatal: boolean): string {
  const head = `<testcase classname="trawl" name="${xmlEscape(record.url)}" time="${seconds(record.ms)}"`;
  if (record.ok) return `${head}/>\n`;
  const code = record.error?.code ?? "EHTTP";
  const message = xmlEscape(`${code}: ${record.error?.message ?? "failed"}${fatal ? "" : " (not in --fail-on)"}`);
  const element = fatal ? "failure" : "skipped";
  return `${head}>\n<${element} type="${code}" message="${message}">${xmlContent(failureText(record))}</${element}>\n</testcase>\n`;
}

export class JunitReport {
  private pending = "";
  private tests = 0;
  private failures = 0;
  private skipped = 0;
  private readonly timestamp = new Date().toISOString().slice(0, 19);

  private constructor(
    private readonly file: FileHandle,
    private readonly isFatal: (code: ErrorCode) => boolean,
  ) {}

  /** Opens (truncates) the report file and reserves its header. */
  static async open(path: string, isFatal: (code: ErrorCode) => boolean): Promise<JunitReport> {
    const file = await open(path, "w");
    await file.write(" ".repeat(HEADER_BYTES));
    return new JunitReport(file, isFatal);
  }

  /** Adds a record's test case; a promise when the buffer was written out (wait for it). */
  add(record: TrawlRecord): Promise<void> | undefined {
    const fatal = record.ok || this.isFatal(record.error?.code ?? "EHTTP");
    this.tests++;
    if (!record.ok) {
      if (fatal) this.failures++;
      else this.skipped++;
    }
    this.pending += testCase(record, fatal);
    return this.pending.length >= FLUSH_CHARS ? this.flush() : undefined;
  }

  private async flush(): Promise<void> {
    const text = this.pending;
    this.pending = "";
    if (text !== "") await this.file.write(text);
  }

  /** Ends the report: closing tags, then the counts and the run's time written into the header. */
  async close(elapsedMs: number): Promise<void> {
    try {
      this.pending += "</testsuite>\n</testsuites>\n";
      await this.flush();
      const counts = `tests="${this.tests}" failures="${this.failures}" errors="0"`;
      const time = `time="${seconds(elapsedMs)}"`;
      const head =
        `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="trawl" ${counts} ${time}>\n` +
        `<testsuite name="trawl" ${counts} skipped="${this.skipped}" ${time} timestamp="${this.timestamp}"`;
      // Whitespace before `>` is allowed in a start tag: the reserved space is filled with it.
      const header = `${head}${" ".repeat(Math.max(0, HEADER_BYTES - Buffer.byteLength(head) - 2))}>\n`;
      await this.file.write(header, 0);
    } finally {
      await this.file.close();
    }
  }
}
