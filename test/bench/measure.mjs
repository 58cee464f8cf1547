// Runs one child process and reports its own wall time, CPU seconds and peak RSS, as the OS saw them.
// GNU time (`/usr/bin/time`) reads them from wait4()'s rusage; without it, a preloaded module reports
// process.resourceUsage() (the same rusage, from inside) when the child exits.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, createReadStream, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { killGroup } from "./server.mjs";

const GNU_TIME = "/usr/bin/time";
const hasGnuTime = existsSync(GNU_TIME);

/** Every temp file of this bench run lives here, so that one rmSync cleans up whatever the way out. */
export const TEMP_DIR = mkdtempSync(join(tmpdir(), "trawl-bench-"));
process.on("exit", () => rmSync(TEMP_DIR, { recursive: true, force: true }));

export function tempPath(name) {
  return join(TEMP_DIR, name);
}

// The fallback reporter, preloaded with --import: rusage of this very process on exit, whatever the
// exit path (natural end, process.exit, exitCode).
const REPORTER = `data:text/javascript,${encodeURIComponent(`
import { writeFileSync } from "node:fs";
process.on("exit", () => {
  const usage = process.resourceUsage();
  writeFileSync(process.env.TRAWL_BENCH_USAGE_FILE,
    [0, usage.userCPUTime / 1e6, usage.systemCPUTime / 1e6, usage.maxRSS].join(" "));
});`)}`;

/** Live children, so that the caller's cleanup can kill whatever is still running on error or Ctrl-C. */
export const running = new Set();

let sequence = 0;

/**
 * Runs `node <args…>` and resolves once it exits:
 * {wallSeconds, userSeconds, systemSeconds, cpuSeconds, peakRssMB, exitCode, timedOut, stdout, stderr}.
 *
 * @param args        arguments after `node`
 * @param stdinFile   piped to the child's stdin through a real pipe (as `cat file | trawl` would)
 * @param stdoutFile  the child's stdout goes straight to this file (kernel-written: no parent CPU, no
 *                    back-pressure from a busy parent); otherwise it is captured (small outputs only)
 * @param timeoutMs   SIGTERM to the child's process group after this long
 */
export async function runMeasured({ args, stdinFile, stdoutFile, timeoutMs = 10 * 60_000, env = {} }) {
  const usageFile = tempPath(`usage-${++sequence}`);
  const command = hasGnuTime
    ? [GNU_TIME, ["-f", "%e %U %S %M", "-o", usageFile, process.execPath, ...args]]
    : [process.execPath, ["--import", REPORTER, ...args]];
  const stdoutFd = stdoutFile ? openSync(stdoutFile, "w") : null;
  const started = performance.now();
  // Own process group: a timeout or cleanup kills time *and* node (GNU time does not forward SIGTERM).
  const child = spawn(command[0], command[1], {
    detached: true,
    stdio: [stdinFile ? "pipe" : "ignore", stdoutFd ?? "pipe", "pipe"],
    env: { ...process.env, ...env, TRAWL_BENCH_USAGE_FILE: usageFile },
  });
  running.add(child);
  if (stdoutFd !== null) closeSync(stdoutFd);
  if (stdinFile) {
    // The child may exit before reading everything (a crash, a timeout): its EPIPE is not our error.
    child.stdin.on("error", () => {});
    createReadStream(stdinFile).pipe(child.stdin);
  }
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
  // Keep the tail only: a misbehaving child must not fill the parent's memory.
  child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr = (stderr + chunk).slice(-8192)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child);
  }, timeoutMs);
  // `close` (not `exit`) so that the stdio pipes are drained and stdout/stderr complete; it follows
  // `exit` by well under a millisecond.
  const [exitCode, signal] = await once(child, "close");
  const wallSeconds = (performance.now() - started) / 1000;
  clearTimeout(timer);
  running.delete(child);

  let usage = [Number.NaN, Number.NaN, Number.NaN, Number.NaN];
  try {
    // GNU time prefixes a "Command exited with non-zero status" line when the child failed.
    const lines = readFileSync(usageFile, "utf8").trim().split("\n");
    usage = lines[lines.length - 1].split(" ").map(Number);
    rmSync(usageFile, { force: true });
  } catch {}
  const [, userSeconds, systemSeconds, maxRssKB] = usage;
  return {
    wallSeconds,
    userSeconds,
    systemSeconds,
    cpuSeconds: userSeconds + systemSeconds,
    peakRssMB: maxRssKB / 1024,
    exitCode: exitCode ?? (signal ? `${signal}` : null),
    timedOut,
    stdout,
    stderr,
  };
}

/** Writes `count` URLs, one a line, to a temp file, in 1 MB chunks (1M URLs is ~40 MB). */
export function writeUrlFile(name, origin, prefix, count) {
  const path = tempPath(`${name}-urls.txt`);
  writeFileSync(path, "");
  let chunk = "";
  for (let i = 1; i <= count; i++) {
    chunk += `${origin}${prefix}${i}\n`;
    if (chunk.length > 1 << 20) {
      writeFileSync(path, chunk, { flag: "a" });
      chunk = "";
    }
  }
  writeFileSync(path, chunk, { flag: "a" });
  return path;
}
