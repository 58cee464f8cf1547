import type { AttemptEvent } from "../http/attempt-event.js";
import type { RunStats, RunSummary } from "../stats.js";
import { terminalSafe } from "./terminal-text.js";

function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${ms}ms`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** One `--verbose` line per attempt: URL, status or error code, time, and the retry wait if any. */
export function attemptLine(event: AttemptEvent): string {
  const outcome = event.code && event.code !== "EHTTP" ? event.code : String(event.status);
  const retry = event.retryInMs === null ? "" : `, retry in ${formatMs(event.retryInMs)}`;
  return `trawl: #${event.attempt} ${terminalSafe(event.url, 300)} → ${outcome} ${formatMs(event.ms)}${retry}\n`;
}

/** The end-of-run summary for stderr (SPEC §5). */
export function summaryText(summary: RunSummary): string {
  const aborted = summary.aborted > 0 ? `, ${summary.aborted} aborted` : "";
  const cached = summary.cached > 0 ? ` (${summary.cached} cached)` : "";
  const lines = [
    `trawl: ${summary.total} URLs, ${summary.ok} ok${cached}, ${summary.failed} failed${aborted} in ${formatMs(summary.elapsedMs)} ` +
      `(${summary.urlsPerSecond} URLs/s, ${formatBytes(summary.bytes)})`,
  ];
  if (summary.interrupted) {
    lines.push("  interrupted: the run was stopped before its end; URLs not yet started have no record");
  }
  if (summary.total > (summary.byCode.EINVALIDURL ?? 0)) {
    const { p50, p95, p99 } = summary.latencyMs;
    lines.push(`  latency p50 ${formatMs(p50)}, p95 ${formatMs(p95)}, p99 ${formatMs(p99)}`);
  }
  for (const [code, count] of Object.entries(summary.byCode)) {
    const example = summary.examples[code as keyof RunSummary["examples"]] ?? "";
    lines.push(`  ${code.padEnd(17)} ${String(count).padStart(6)}  e.g. ${terminalSafe(example, 120)}`);
  }
  const slowest = summary.slowestHosts[0];
  if (slowest && summary.slowestHosts.length > 1) {
    lines.push(`  slowest host: ${terminalSafe(slowest.host, 80)} (${formatMs(slowest.averageMs)} average over ${slowest.count})`);
  }
  const failing = summary.failingHosts[0];
  if (failing) {
    lines.push(`  most failing host: ${terminalSafe(failing.host, 80)} (${failing.failed} of ${failing.count} failed)`);
  }
  return `${lines.join("\n")}\n`;
}

/** What the spinner shows besides the counters. */
export interface LiveCounts {
  /** URLs being fetched now. */
  inFlight: number;
  /**
   * URLs read from the input so far, or crawling, queued so far (the total, once nothing more can
   * come); null when not known here (a shared crawl's queue is the whole fleet's).
   */
  read: number | null;
  /** True once the input has been read to its end. */
  inputDone: boolean;
  /** Failed records that link checks hold until the crawl ends: done and failed already, written later. */
  held: number;
}

/** The live status line: done of total, ok, failed, rate, in flight and the slowest host. */
export function progressText(stats: RunStats, live: LiveCounts): string {
  const elapsed = stats.elapsedMs();
  const done = stats.total + live.held;
  const rate = elapsed > 0 ? ((done * 1000) / elapsed).toFixed(1) : "0";
  const total = live.read === null ? "" : live.inputDone ? `/${live.read}` : `/${live.read}+`;
  const slowest = stats.slowestHost();
  const host = slowest ? `, slowest ${terminalSafe(slowest, 40)}` : "";
  const failed = stats.failed + live.held;
  return `${done}${total} done, ${stats.ok} ok, ${failed} failed, ${rate} URLs/s, ${live.inFlight} in flight${host}`;
}

/** A spinner on a TTY, refreshed at most 10 times a second; it costs nothing per URL. */
export interface Spinner {
  stop(): void;
}

/** Starts the ora spinner (loaded only here, only for a terminal). */
export async function startSpinner(stats: RunStats, live: () => LiveCounts): Promise<Spinner> {
  const { default: ora } = await import("ora");
  const spinner = ora({ text: progressText(stats, live()), stream: process.stderr, discardStdin: false }).start();
  const timer = setInterval(() => {
    // A terminal resized to no width mid-run: the spinner stops rather than redraw without end.
    if ((process.stderr.columns ?? 0) <= 0) {
      clearInterval(timer);
      spinner.stop();
      return;
    }
    spinner.text = progressText(stats, live());
  }, 100);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      spinner.stop();
    },
  };
}
