/**
 * Issue 12 #4 and #7: trawl under a pseudo-terminal that reports no width (`script` without a real
 * terminal, as some CI log viewers run it) and page text reaching a terminal through CSV.
 * `script -qec CMD /dev/null` gives the command a pty for stdin, stdout and stderr; its output is
 * what the terminal would have been sent.
 */
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binPath, cliEnv } from "../helpers/cli.js";
import { type HttpTestServer, httpServer, page, routes, sendHtml, sleep } from "../helpers/servers.js";

const SCRIPT = "/usr/bin/script";

interface Run {
  code: number | null;
  output: string;
  elapsedMs: number;
}

/** Runs trawl in a fresh pty of 0 columns (script inherits no size); `during` runs while it works. */
function inPseudoTerminal(args: string[], during?: (scriptPid: number) => Promise<void>): Promise<Run> {
  const env = cliEnv();
  delete env.CI;
  // `exec`: script runs the command with $SHELL -c, and dash (CI's /bin/sh, when SHELL is unset)
  // forks for it where bash execs; then script's child is the shell, not trawl.
  const quoted = [process.execPath, binPath, ...args].map((arg) => `'${arg.replaceAll("'", "'\\''")}'`);
  const command = `exec ${quoted.join(" ")}`;
  const started = performance.now();
  const child = spawn(SCRIPT, ["-qec", command, "/dev/null"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    // Keep what a user would see, bounded: a flood is the failure being tested for.
    if (output.length < 1_000_000) output += chunk;
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  void during?.(child.pid as number);
  return new Promise((resolve) => {
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code, output, elapsedMs: performance.now() - started });
    });
  });
}

/** The pid of trawl's node process among the descendants of `rootPid` (whatever shell is between). */
function trawlUnder(rootPid: number): number {
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.shift() as number;
    let cmdline = "";
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {}
    // node's own argv: [node, bin/trawl.js, …]. A shell's `sh -c "… bin/trawl.js …"` holds the path too, inside one argument.
    if (pid !== rootPid && cmdline.split("\0")[1] === binPath) return pid;
    try {
      const children = execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" });
      pending.push(...children.trim().split("\n").map(Number));
    } catch {
      // pgrep exits 1 when the process has no children.
    }
  }
  throw new Error(`no trawl process under ${rootPid}`);
}

let server: HttpTestServer;
/** Resolves when trawl's request for /forever has reached the server: trawl is up, its handlers set. */
let foreverAsked: Promise<void>;
let markForeverAsked: () => void = () => {};
beforeAll(async () => {
  server = await httpServer(
    routes({
      "/slow": async (_req, res) => {
        await sleep(400);
        sendHtml(res, page("slow"));
      },
      "/forever": async (_req, res) => {
        markForeverAsked();
        await sleep(20_000);
        sendHtml(res, page("late"));
      },
      "/evil": (_req, res) => sendHtml(res, page("\u001b]0;pwned\u0007\u001b[2J evil \u009b31m")),
    }),
  );
});
afterAll(() => server.close());

describe("a terminal of no width", () => {
  it("draws no spinner and finishes: the record, the summary, and little else", async () => {
    const run = await inPseudoTerminal([`${server.url}/slow`]);
    expect(run.code).toBe(0);
    expect(run.output).toContain('"title":"slow"');
    expect(run.output).toContain("1 URLs, 1 ok");
    // Before the fix ora redrew without end: megabytes of escape codes and no record in 8 s.
    expect(run.output.length).toBeLessThan(2_000);
  });

  it("stops on SIGTERM with status 143", async () => {
    foreverAsked = new Promise((resolve) => {
      markForeverAsked = resolve;
    });
    const run = await inPseudoTerminal([`${server.url}/forever`], async (scriptPid) => {
      // Not a fixed delay: on a loaded machine Node may not have set its signal handlers after 1 s,
      // and a SIGTERM then ends it with 143 and no output, which is not what this test is about.
      await foreverAsked;
      process.kill(trawlUnder(scriptPid), "SIGTERM");
    });
    expect(run.code).toBe(143);
    expect(run.elapsedMs).toBeLessThan(10_000);
    expect(run.output).toContain("EABORTED");
  });
});

describe("page text on a terminal", () => {
  it("CSV to a terminal carries no control character or escape sequence", async () => {
    const run = await inPseudoTerminal(["-q", "--format", "csv", `${server.url}/evil`]);
    expect(run.code).toBe(0);
    expect(run.output).toContain("evil");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
    expect(run.output.replace(/\r*\n/g, "\n")).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it("NDJSON to a terminal escapes C1 controls too, and stays JSON", async () => {
    const run = await inPseudoTerminal(["-q", `${server.url}/evil`]);
    expect(run.code).toBe(0);
    const line = run.output.split(/\r*\n/).find((text) => text.startsWith("{")) as string;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(JSON.parse(line).title).toBe("\u001b]0;pwned\u0007\u001b[2J evil \u009b31m");
  });
});
