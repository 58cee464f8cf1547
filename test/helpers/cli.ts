/**
 * Runs the real `bin/trawl.js` in a child process, as a user or a CI job would (STYLE.md habit 12:
 * test the real bin). The environment is made CI-like and hermetic: no spinner, no GitHub step
 * summary, no proxy variables leaking in from the machine running the tests.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const binPath = fileURLToPath(new URL("../../bin/trawl.js", import.meta.url));

/** A record as trawl prints it (CONTRACT.md); loose on purpose, tests assert the details. */
export interface TrawlRecord {
  url: string;
  finalUrl: string | null;
  status: number | null;
  ok: boolean;
  attempts: number;
  ms: number;
  bytes: number;
  contentType: string | null;
  title: string | null;
  data: Record<string, unknown>;
  error: { code: string; message: string } | null;
  [key: string]: unknown;
}

export interface CliOptions {
  /** Written to stdin (a string as UTF-8, bytes as they are), which is then closed. Without it stdin is an empty pipe (closed at once). */
  input?: string | Uint8Array;
  /** Added to the hermetic environment; `undefined` values remove a variable. */
  env?: Record<string, string | undefined>;
  /** The child is killed with SIGKILL after this long and the result has `timedOut: true`. @default 15000 */
  timeoutMs?: number;
  /** Working directory of the child. @default the repository root */
  cwd?: string;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, in ms. */
  elapsedMs: number;
  /** True when the helper had to kill the child after `timeoutMs`. */
  timedOut: boolean;
  /** stdout parsed as NDJSON; throws, quoting the line, if any non-blank line is not JSON. */
  readonly records: TrawlRecord[];
}

// Variables that would change trawl's behaviour behind a test's back.
const AMBIENT = [
  "GITHUB_STEP_SUMMARY",
  "GITHUB_ACTIONS",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "ALL_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "all_proxy",
  "FORCE_COLOR",
];

/** The child's environment: ours, CI=1, minus ambient variables unless the test gives them. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "1", NO_COLOR: "1" };
  for (const name of AMBIENT) delete env[name];
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Parses NDJSON output, failing loudly (with the offending line) on anything that is not JSON. */
export function parseRecords(stdout: string): TrawlRecord[] {
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        return JSON.parse(line) as TrawlRecord;
      } catch {
        throw new Error(`stdout line is not JSON: ${JSON.stringify(line.slice(0, 200))}`);
      }
    });
}

/** Starts the CLI and returns the child, for tests that send signals or read output as it comes. */
export function spawnCli(args: string[], options: Omit<CliOptions, "timeoutMs"> = {}): ChildProcess {
  return spawnNode([binPath, ...args], options);
}

/**
 * Starts `node …nodeArgs` in the CLI's hermetic environment: for node flags before the bin
 * (`--import`), or for another script that runs the CLI (fixtures/demo.mjs).
 */
export function spawnNode(nodeArgs: string[], options: Omit<CliOptions, "timeoutMs"> = {}): ChildProcess {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: options.cwd ?? repoRoot,
    env: cliEnv(options.env),
    stdio: ["pipe", "pipe", "pipe"],
  });
  // The child may exit before reading stdin (usage errors); that EPIPE is not a test failure.
  child.stdin?.on("error", () => {});
  if (options.input !== undefined) child.stdin?.end(options.input);
  else child.stdin?.end();
  return child;
}

/** Collects a spawned child's output until it exits. */
export function collect(child: ChildProcess, timeoutMs = 15_000): Promise<CliResult> {
  const started = performance.now();
  let stdout = "";
  let stderr = "";
  let timedOut = false;
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close' (not 'exit') so that stdout and stderr are fully read.
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout,
        stderr,
        elapsedMs: performance.now() - started,
        timedOut,
        get records() {
          return parseRecords(stdout);
        },
      });
    });
  });
}

/** Runs `trawl ...args` to completion. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return collect(spawnCli(args, options), options.timeoutMs);
}

/**
 * Memoises one CLI run shared by several tests (each asserting on its own record), so a theme with
 * many cases costs one process instead of one per case. The run starts on first use.
 */
export function sharedRun(run: () => Promise<CliResult>): () => Promise<CliResult> {
  let result: Promise<CliResult> | undefined;
  return () => (result ??= run());
}

/**
 * Samples a child's peak resident memory (VmHWM from /proc, Linux only) until it exits.
 * `peakMb()` is `null` where /proc is not available, so callers can skip the check there.
 */
export function watchPeakMemory(child: ChildProcess, everyMs = 10): { peakMb(): number | null } {
  let peakKb: number | null = null;
  const sample = () => {
    try {
      const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      if (match) peakKb = Math.max(peakKb ?? 0, Number(match[1]));
    } catch {
      // Not Linux, or the process is already gone: keep the last sample.
    }
  };
  const timer = setInterval(sample, everyMs);
  child.once("exit", () => clearInterval(timer));
  sample();
  return { peakMb: () => (peakKb === null ? null : Math.round(peakKb / 1024)) };
}

/**
 * Starts `rounds` runs one after another, each killed with SIGKILL (kill -9) once `beforeKill`
 * resolves, unless it has ended by then; every run is over when this returns. Returns how many
 * were killed (a test should see at least one, or it tested nothing).
 */
export async function killRepeatedly(
  rounds: number,
  start: (round: number) => ChildProcess,
  beforeKill: (child: ChildProcess, finished: Promise<CliResult>) => Promise<unknown>,
): Promise<number> {
  let kills = 0;
  for (let round = 0; round < rounds; round++) {
    const child = start(round);
    const finished = collect(child, 20_000);
    await beforeKill(child, finished);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      kills++;
    }
    await finished;
  }
  return kills;
}
