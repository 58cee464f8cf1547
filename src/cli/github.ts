import { appendFile } from "node:fs/promises";
import type { TrawlRecord } from "../record.js";
import type { RunSummary } from "../stats.js";
import type { ErrorCode } from "../errors.js";
import type { FailedUrls } from "./failed-urls.js";

/**
 * The runner keeps at most this many annotations of one type per step; the line that counts the
 * rest is one of them, so a run with more failures annotates MAX_ANNOTATIONS - 1 URLs and that line.
 */
export const MAX_ANNOTATIONS = 50;

// Workflow command escaping (actions/toolkit, command.ts): data escapes %, CR, LF; properties also : and ,.
function escapeData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

/** The first page known to link to a record's URL: its `linkedFrom`, else (crawling) its parent. */
export function firstReferrer(record: TrawlRecord): string | null {
  return record.linkedFrom?.urls[0] ?? record.parent ?? null;
}

/**
 * One workflow command for a failed URL (GitHub reads them from stderr too): `::error`, or
 * `::warning` for a failure that does not fail the step (not in `--fail-on`). It names the URL and,
 * when known, the first page that links to it.
 */
export function annotationFor(record: TrawlRecord, fatal = true): string {
  const code = record.error?.code ?? "EHTTP";
  const said = record.error?.message ?? "failed";
  // "HTTP 404 (HTTP 404)" says it twice.
  const status = record.status === null || said === `HTTP ${record.status}` ? "" : ` (HTTP ${record.status})`;
  const referrer = firstReferrer(record);
  const others = record.linkedFrom ? record.linkedFrom.urls.length - 1 + record.linkedFrom.more : 0;
  const from =
    referrer === null ? "" : `, linked from ${referrer}${others > 0 ? ` and ${others} more page${others === 1 ? "" : "s"}` : ""}`;
  const message = `${record.url}: ${said}${status}${from}`;
  return `::${fatal ? "error" : "warning"} title=${escapeProperty(`trawl ${code}`)}::${escapeData(message)}\n`;
}

/**
 * Collects the annotations of a run: at most 50 in all, the last of them counting the rest. Fatal
 * failures (`::error`) come before the others (`::warning`), so the cap never hides one for a warning.
 */
export class Annotations {
  private readonly errors: string[] = [];
  private readonly warnings: string[] = [];
  private failed = 0;
  private fatal = 0;

  /** `isFatal` says whether a failure's code fails the step (`--fail-on`); by default every one does. */
  constructor(private readonly isFatal: (code: ErrorCode) => boolean = () => true) {}

  add(record: TrawlRecord): void {
    if (record.ok) return;
    this.failed++;
    const fatal = this.isFatal(record.error?.code ?? "EHTTP");
    if (fatal) this.fatal++;
    const lines = fatal ? this.errors : this.warnings;
    if (lines.length < MAX_ANNOTATIONS) lines.push(annotationFor(record, fatal));
  }

  text(): string {
    const lines = [...this.errors, ...this.warnings];
    if (this.failed <= MAX_ANNOTATIONS) return lines.join("");
    const shown = MAX_ANNOTATIONS - 1;
    // The rest hold a fatal failure when fewer errors were shown than there were.
    const kind = Math.min(this.errors.length, shown) < this.fatal ? "error" : "warning";
    const more = `::${kind} title=trawl::${this.failed - shown} more failed URLs not annotated (see the records)\n`;
    return lines.slice(0, shown).join("") + more;
  }
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/**
 * The Markdown appended to `$GITHUB_STEP_SUMMARY`: counts, failures by code, the slowest URLs, and
 * (given `failed`) the failed URLs grouped by code and status, with the pages that link to them.
 */
export function stepSummaryMarkdown(summary: RunSummary, failed?: FailedUrls): string {
  // The cached column only for a run that re-emitted records from --cache.
  const cached = summary.cached > 0;
  const lines = [
    "### trawl",
    "",
    `| URLs | ok |${cached ? " cached |" : ""} failed | elapsed | URLs/s | p50 | p95 | p99 |`,
    `|---:|---:|${cached ? "---:|" : ""}---:|---:|---:|---:|---:|---:|`,
    `| ${summary.total} | ${summary.ok} |${cached ? ` ${summary.cached} |` : ""} ${summary.failed} | ${(summary.elapsedMs / 1000).toFixed(1)} s | ${summary.urlsPerSecond} | ${summary.latencyMs.p50} ms | ${summary.latencyMs.p95} ms | ${summary.latencyMs.p99} ms |`,
    "",
  ];
  const codes = Object.entries(summary.byCode);
  if (codes.length > 0) {
    lines.push("| failure | count | example |", "|---|---:|---|");
    for (const [code, count] of codes) {
      lines.push(`| \`${code}\` | ${count} | ${cell(summary.examples[code as keyof RunSummary["examples"]] ?? "")} |`);
    }
    lines.push("");
  }
  if (summary.slowestUrls.length > 0) {
    lines.push("| slowest URLs | ms | status |", "|---|---:|---|");
    for (const slow of summary.slowestUrls) {
      lines.push(`| ${cell(slow.url)} | ${slow.ms} | ${slow.code ?? slow.status ?? ""} |`);
    }
    lines.push("");
  }
  return `${lines.join("\n")}\n${failed?.markdown() ?? ""}`;
}

/** Appends the step summary (the file is GitHub's; other steps write to it too). */
export async function appendStepSummary(path: string, summary: RunSummary, failed?: FailedUrls): Promise<void> {
  await appendFile(path, stepSummaryMarkdown(summary, failed));
}
