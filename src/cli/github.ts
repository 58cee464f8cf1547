import { appendFile } from "node:fs/promises";
import type { TrawlRecord } from "../record.js";
import type { RunSummary } from "../stats.js";

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

/** One `::error` workflow command for a failed URL (GitHub reads them from stderr too). */
export function annotationFor(record: TrawlRecord): string {
  const code = record.error?.code ?? "EHTTP";
  const status = record.status === null ? "" : ` (HTTP ${record.status})`;
  const message = `${record.url}: ${record.error?.message ?? "failed"}${status}`;
  return `::error title=${escapeProperty(`trawl ${code}`)}::${escapeData(message)}\n`;
}

/** Collects the `::error` lines of a run: at most 50 in all, the last of them counting the rest. */
export class Annotations {
  private readonly lines: string[] = [];
  private failed = 0;

  add(record: TrawlRecord): void {
    if (record.ok) return;
    this.failed++;
    if (this.lines.length < MAX_ANNOTATIONS) this.lines.push(annotationFor(record));
  }

  text(): string {
    if (this.failed <= MAX_ANNOTATIONS) return this.lines.join("");
    const shown = MAX_ANNOTATIONS - 1;
    const more = `::error title=trawl::${this.failed - shown} more failed URLs not annotated (see the records)\n`;
    return this.lines.slice(0, shown).join("") + more;
  }
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** The Markdown appended to `$GITHUB_STEP_SUMMARY`: counts, failures by code, the slowest URLs. */
export function stepSummaryMarkdown(summary: RunSummary): string {
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
  return `${lines.join("\n")}\n`;
}

/** Appends the step summary (the file is GitHub's; other steps write to it too). */
export async function appendStepSummary(path: string, summary: RunSummary): Promise<void> {
  await appendFile(path, stepSummaryMarkdown(summary));
}
