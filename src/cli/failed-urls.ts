/**
 * The failed URLs of a run for the GitHub step summary (SPEC §9): the first 100 listed, grouped by
 * code and status, each with the pages that link to it; every failure counted in its group. Memory
 * is the 100 listed failures and one counter per group, however many URLs fail.
 */
import type { ErrorCode } from "../errors.js";
import type { LinkedFrom, TrawlRecord } from "../record.js";
import { terminalSafe } from "./terminal-text.js";

/** Failed URLs listed at most; the rest are counted. */
const MAX_LISTED = 100;

interface Failure {
  url: string;
  referrers: LinkedFrom | null;
  /** True when the referrers are only the page the crawl found it on (no `linkedFrom`). */
  foundOn: boolean;
}

interface Group {
  code: ErrorCode;
  status: number | null;
  fatal: boolean;
  count: number;
  listed: Failure[];
}

/** A URL as Markdown: an autolink for an http(s) URL (normalised: no space, `<` or `>`), else code. */
function markdownUrl(text: string): string {
  const clean = terminalSafe(text, 2000);
  if (/^https?:\/\/[^\s<>]+$/.test(clean)) return `<${clean}>`;
  return `\`${clean.replaceAll("`", "'")}\``;
}

export class FailedUrls {
  private readonly groups = new Map<string, Group>();
  private listed = 0;
  private total = 0;

  /** `isFatal`: whether a code fails the step (`--fail-on`). */
  constructor(private readonly isFatal: (code: ErrorCode) => boolean = () => true) {}

  add(record: TrawlRecord): void {
    if (record.ok) return;
    const code = record.error?.code ?? "EHTTP";
    const key = `${code} ${record.status ?? ""}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { code, status: record.status, fatal: this.isFatal(code), count: 0, listed: [] };
      this.groups.set(key, group);
    }
    group.count++;
    this.total++;
    if (this.listed >= MAX_LISTED) return;
    this.listed++;
    const parent = record.parent ?? null;
    group.listed.push({
      url: record.url,
      referrers: record.linkedFrom ?? (parent === null ? null : { urls: [parent], more: 0 }),
      foundOn: record.linkedFrom === undefined,
    });
  }

  /** The Markdown section, or "" when nothing failed. */
  markdown(): string {
    if (this.total === 0) return "";
    const lines = [`#### Failed URLs (${this.total})`, ""];
    const groups = [...this.groups.values()].sort((a, b) => Number(b.fatal) - Number(a.fatal) || b.count - a.count);
    for (const group of groups) {
      const status = group.status === null ? "" : ` · HTTP ${group.status}`;
      const fatal = group.fatal ? "" : " · not in --fail-on";
      lines.push(`**\`${group.code}\`${status}** (${group.count})${fatal}`, "");
      for (const failure of group.listed) lines.push(`- ${markdownUrl(failure.url)}${referrersText(failure)}`);
      if (group.listed.length < group.count) lines.push(`- … ${group.count - group.listed.length} more`);
      lines.push("");
    }
    if (this.listed < this.total) lines.push(`_${MAX_LISTED} of ${this.total} failed URLs are listed; the records have them all._`, "");
    return `${lines.join("\n")}\n`;
  }
}

function referrersText(failure: Failure): string {
  const referrers = failure.referrers;
  if (referrers === null || referrers.urls.length === 0) return "";
  if (failure.foundOn) return ` (found on ${markdownUrl(referrers.urls[0] as string)})`;
  const total = referrers.urls.length + referrers.more;
  const more = referrers.more > 0 ? `, … and ${referrers.more} more` : "";
  return ` linked from ${total} page${total === 1 ? "" : "s"}: ${referrers.urls.map(markdownUrl).join(", ")}${more}`;
}
