/**
 * The terminal as a person sees it (SPEC §5, issues 4 and 5): the real CLI runs in a pseudo-terminal
 * (a tmux pane on a private server socket), and the tests read the screen with `capture-pane`.
 * - the ora spinner is drawn on the terminal while URLs are fetched, and nothing of it reaches stdout;
 * - Ctrl-C exits 130 and leaves the terminal clean: cursor shown again, spinner line cleared;
 * - page text and input lines holding escape sequences never act on the terminal (no retitle, no clear).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binPath, cliEnv, parseRecords, repoRoot } from "../helpers/cli.js";
import { type HttpTestServer, httpServer, page, routes, sendHtml, sleep } from "../helpers/servers.js";
import { until, waitFor } from "../helpers/wait.js";

const TMUX = "/usr/bin/tmux";
const SOCKET = `trawl-test-${randomBytes(6).toString("hex")}`;
/** What the spinner line says (progress.ts): "12/30 done, 12 ok, 0 failed, …" (total may end in "+"). */
const SPINNER_TEXT = /\d+\/\d+\+? done, \d+ ok/;
/** ora's frames ("dots" on a unicode terminal, "line" otherwise). */
const SPINNER_FRAME = /^\s*[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏|/\\-]\s/;
// Page text a hostile server (or input line) could use to retitle the terminal and wipe the screen.
const PAYLOAD = "\u001b]0;pwned\u0007\u001b[2J evil";

let dir: string;
let config: string;
let server: HttpTestServer;
let sessions = 0;
let answerSlow: () => void = () => {};
const slowMayAnswer = new Promise<void>((resolve) => (answerSlow = resolve));

/**
 * The environment of the tmux server (and so of every pane): a person's terminal, not CI, and not
 * inside the tmux that may be running these tests. cliEnv removes the rest (proxies, GitHub, colour).
 */
function terminalEnv(): NodeJS.ProcessEnv {
  return cliEnv({ TERM: "xterm-256color", CI: undefined, NO_COLOR: undefined, TMUX: undefined, TMUX_PANE: undefined });
}

/** Runs a tmux command against our private server; resolves with its stdout. */
function tmux(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(TMUX, ["-L", SOCKET, "-f", config, ...args], { env: terminalEnv(), timeout: 5_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`tmux ${args.join(" ")}: ${error.message} ${stderr}`));
      else resolve(stdout);
    });
  });
}

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

// Most probes run tmux (a process each time): poll at a gentler pace than waitFor's default.
const POLL_MS = 50;

interface Pane {
  target: string;
  /** The file the pane's shell writes `EXIT=<status>` to once trawl has exited. */
  exitFile: string;
  /** The visible screen, wrapped lines joined. */
  screen(): Promise<string>;
  /** A tmux format variable of the pane, e.g. `cursor_flag`. */
  show(variable: string): Promise<string>;
  /** Waits for trawl to exit and returns its exit status. */
  exitStatus(timeoutMs?: number): Promise<number>;
}

/**
 * Opens a 200×60 tmux session running `script` in bash, as a user's interactive terminal would:
 * TERM=xterm-256color, CI and NO_COLOR unset. The script should end with `echo "EXIT=$?" > $EXIT_FILE`;
 * the pane then stays open (`exec sleep`) so its final screen can be read.
 */
async function openPane(script: string): Promise<Pane> {
  const name = `case${++sessions}`;
  const exitFile = join(dir, `${name}.exit`);
  const scriptFile = join(dir, `${name}.sh`);
  writeFileSync(
    scriptFile,
    [
      "export TERM=xterm-256color",
      "unset CI NO_COLOR FORCE_COLOR",
      `cd ${quote(repoRoot)}`,
      `EXIT_FILE=${quote(exitFile)}`,
      `TRAWL="${process.execPath} ${binPath}"`,
      script,
      "exec sleep 600",
      "",
    ].join("\n"),
  );
  await tmux("new-session", "-d", "-s", name, "-x", "200", "-y", "60", `bash ${quote(scriptFile)}`);
  const target = `${name}:0.0`;
  return {
    target,
    exitFile,
    screen: () => tmux("capture-pane", "-p", "-J", "-t", target),
    show: async (variable) => (await tmux("display-message", "-p", "-t", target, `#{${variable}}`)).trim(),
    exitStatus: async (timeoutMs = 10_000) => {
      const text = await waitFor(
        () => (existsSync(exitFile) && /EXIT=\d+\n/.test(readFileSync(exitFile, "utf8")) ? readFileSync(exitFile, "utf8") : undefined),
        "trawl to exit in the pane",
        { timeoutMs, everyMs: POLL_MS },
      );
      return Number(/EXIT=(\d+)/.exec(text)?.[1]);
    },
  };
}

const nonEmptyLines = (screen: string) => screen.split("\n").filter((line) => line.trim() !== "");

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "trawl-terminal-"));
  config = join(dir, "tmux.conf");
  // An empty configuration: the user's ~/.tmux.conf must not change what the tests see.
  writeFileSync(config, "set -g history-limit 1000\n");
  server = await httpServer(
    routes({
      "/slow/*": async (req, res) => {
        await sleep(300);
        sendHtml(res, page(`Slow ${req.url}`));
      },
      // Accepted and never answered.
      "/hang/*": () => {},
      "/fine/*": (req, res) => sendHtml(res, page(`Fine ${req.url}`)),
      "/evil": (_req, res) => sendHtml(res, page(PAYLOAD, "<h1>gone</h1>"), 404),
      // A site whose two broken links fail at once while one page is slow: link checks hold the failures.
      "/checked/": (_req, res) =>
        sendHtml(
          res,
          page("home", '<a href="/checked/gone/1">1</a><a href="/checked/gone/2">2</a><a href="/checked/slow">s</a><a href="#nope">n</a>'),
        ),
      "/checked/gone/*": (_req, res) => sendHtml(res, page("gone"), 404),
      "/checked/slow": async (_req, res) => {
        // Answers when the test has read the spinner (10 s at most, so that a failure cannot hang it).
        await Promise.race([slowMayAnswer, sleep(10_000)]);
        sendHtml(res, page("slow"));
      },
    }),
  );
});

afterAll(async () => {
  if (config && existsSync(TMUX) && sessions > 0) {
    // kill-server leaves the socket file behind; remove it too.
    const socket = (await tmux("display-message", "-p", "#{socket_path}").catch(() => "")).trim();
    await tmux("kill-server").catch(() => undefined);
    if (socket.includes(SOCKET)) rmSync(socket, { force: true });
  }
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!existsSync(TMUX))("trawl in a terminal (tmux pane)", () => {
  it("shows the spinner on the terminal while it runs, keeps it out of stdout, and ends with the summary", async () => {
    const urls = Array.from({ length: 30 }, (_, i) => `${server.url}/slow/${i}`);
    const list = join(dir, "slow.txt");
    const out = join(dir, "spinner.ndjson");
    writeFileSync(list, `${urls.join("\n")}\n`);
    // 30 URLs × 300 ms at -c 2: about 4.5 s of run to watch.
    const pane = await openPane(`$TRAWL -c 2 -i ${quote(list)} > ${quote(out)}\necho "EXIT=$?" > "$EXIT_FILE"`);

    const spinnerLine = await waitFor(
      async () => nonEmptyLines(await pane.screen()).find((line) => SPINNER_TEXT.test(line)),
      "the spinner on the screen",
      { everyMs: POLL_MS },
    );
    // Seen while the run is still going, with the cursor hidden by the spinner.
    expect(existsSync(pane.exitFile)).toBe(false);
    expect(spinnerLine).toMatch(/\d+ failed, [\d.]+ URLs\/s, \d+ in flight/);
    expect(spinnerLine).toMatch(SPINNER_FRAME);
    expect(await pane.show("cursor_flag")).toBe("0");

    expect(await pane.exitStatus(15_000)).toBe(0);
    const screen = await pane.screen();
    expect(screen).toContain("trawl: 30 URLs, 30 ok, 0 failed");
    // The spinner line is gone once the run ends, and the cursor is back.
    expect(nonEmptyLines(screen).filter((line) => SPINNER_TEXT.test(line))).toEqual([]);
    expect(await pane.show("cursor_flag")).toBe("1");

    // stdout (a file here) holds the records and nothing else: no spinner text, no escape codes.
    const text = readFileSync(out, "utf8");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for escape sequences on purpose.
    expect(text).not.toMatch(/done, \d+ ok|[\u001b\r⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    expect(text.endsWith("\n")).toBe(true);
    const records = parseRecords(text);
    expect(records).toHaveLength(30);
    expect(new Set(records.map((r) => r.url))).toEqual(new Set(urls));
    expect(records.every((r) => r.ok)).toBe(true);
  });

  it("Ctrl-C exits 130 and leaves the terminal clean: cursor shown, spinner line cleared", async () => {
    const urls = Array.from({ length: 10 }, (_, i) => `${server.url}/hang/${i}`);
    const list = join(dir, "hang.txt");
    const out = join(dir, "hang.ndjson");
    writeFileSync(list, `${urls.join("\n")}\n`);
    server.resetStats();
    // bash (not interactive, no trap) goes on to the echo only if trawl *exits* on SIGINT rather than
    // being killed by it: a trawl without a SIGINT handler leaves no EXIT file and the test times out.
    const pane = await openPane(`$TRAWL -c 4 -t 60s -r 0 -i ${quote(list)} > ${quote(out)}\necho "EXIT=$?" > "$EXIT_FILE"`);

    await waitFor(
      async () => (nonEmptyLines(await pane.screen()).some((line) => SPINNER_TEXT.test(line)) ? true : undefined),
      "the spinner",
      {
        everyMs: POLL_MS,
      },
    );
    await until(() => server.inFlight === 4, "four requests in flight", { everyMs: POLL_MS });
    expect(await pane.show("cursor_flag")).toBe("0");

    const pressedAt = performance.now();
    await tmux("send-keys", "-t", pane.target, "C-c");
    expect(await pane.exitStatus(5_000)).toBe(130);
    expect(performance.now() - pressedAt).toBeLessThan(3_000);

    expect(await pane.show("cursor_flag")).toBe("1");
    const lines = nonEmptyLines(await pane.screen());
    const last = lines.at(-1) ?? "";
    expect(last).not.toMatch(SPINNER_TEXT);
    expect(last).not.toMatch(SPINNER_FRAME);
    // No spinner frame left anywhere on the screen, and the summary was printed.
    expect(lines.filter((line) => SPINNER_TEXT.test(line) || SPINNER_FRAME.test(line))).toEqual([]);
    expect(lines.some((line) => /^trawl: \d+ URLs, 0 ok, \d+ failed/.test(line))).toBe(true);
    expect(lines.some((line) => /EABORTED/.test(line))).toBe(true);

    // The in-flight URLs were flushed as whole records.
    const records = parseRecords(readFileSync(out, "utf8"));
    expect(records.length).toBeGreaterThanOrEqual(4);
    for (const record of records) expect(record.error?.code).toBe("EABORTED");
  });

  it("counts link-check failures on the spinner as they happen, though their records come at the end", async () => {
    const out = join(dir, "checked.ndjson");
    const pane = await openPane(
      `$TRAWL --crawl --check-links --check-fragments ${quote(`${server.url}/checked/`)} > ${quote(out)}\necho "EXIT=$?" > "$EXIT_FILE"`,
    );
    // While /checked/slow is in flight: the three failures counted (two 404s and the missing fragment
    // #nope), one URL in flight, and the crawl's total so far (four pages queued and the fragment's
    // record; more may come). Before, the line said "1/1 done, 1 ok, 0 failed, …, 3 in flight" until the end.
    const line = await waitFor(
      async () => nonEmptyLines(await pane.screen()).find((text) => / done, 1 ok, 3 failed/.test(text)),
      "the spinner counting the three held failures",
      { everyMs: POLL_MS, timeoutMs: 8_000 },
    );
    expect(existsSync(pane.exitFile)).toBe(false);
    expect(line).toMatch(/ 4\/5\+ done, 1 ok, 3 failed, [\d.]+ URLs\/s, 1 in flight/);
    answerSlow();
    expect(await pane.exitStatus(15_000)).toBe(1);
    expect(await pane.screen()).toContain("trawl: 5 URLs, 2 ok, 3 failed");
    const records = parseRecords(readFileSync(out, "utf8"));
    // The ok records as they finished, then the held failures (in the order they were held).
    const written = records.map((record) => `${new URL(record.url).pathname} ${record.ok}`);
    expect(written.slice(0, 2)).toEqual(["/checked/ true", "/checked/slow true"]);
    expect(written.slice(2).toSorted()).toEqual(["/checked/ false", "/checked/gone/1 false", "/checked/gone/2 false"]);
    expect(records.find((record) => record.error?.code === "EFRAGMENT")?.url).toBe(`${server.url}/checked/#nope`);
  });

  it("never lets escape sequences from a page title or an input line act on the terminal", async () => {
    const fine = Array.from({ length: 3 }, (_, i) => `${server.url}/fine/${i}`);
    const evil = `${server.url}/evil`;
    const list = join(dir, "evil.txt");
    // The raw payload as an input line: it is EINVALIDURL, and its text is the summary's example.
    writeFileSync(list, [...fine, evil, PAYLOAD].join("\n"));
    // Before the run: a title of our own (proving a title set by escapes shows in #{pane_title}) and
    // a marker line that an ESC[2J would wipe. stdout is the terminal here: records are shown too.
    const pane = await openPane(
      [
        "printf '\\033]2;trawl-before\\033\\\\'",
        "echo MARKER-BEFORE-RUN",
        `$TRAWL -v -c 2 -r 0 -i ${quote(list)}`,
        'echo "EXIT=$?" > "$EXIT_FILE"',
      ].join("\n"),
    );
    expect(await pane.exitStatus(10_000)).toBe(1);
    const screen = await pane.screen();

    // The title stayed ours and the screen was not cleared.
    expect(await pane.show("pane_title")).toBe("trawl-before");
    expect(screen).toContain("MARKER-BEFORE-RUN");
    expect(screen).toContain("trawl: 5 URLs, 3 ok, 2 failed");
    expect(screen).toMatch(/EINVALIDURL +1 +e\.g\. /);
    expect(screen).toMatch(/EHTTP +1 +e\.g\. /);
    // The payload did reach the terminal, but only JSON-escaped inside the records on stdout.
    expect(screen).toContain(String.raw`"title":"\u001b]0;pwned\u0007\u001b[2J evil"`);
    expect(screen).toContain(String.raw`"url":"\u001b]0;pwned\u0007\u001b[2J evil"`);
    // The summary's example for EINVALIDURL shows the line with its escape sequences removed.
    const example = screen.split("\n").find((line) => /EINVALIDURL +1 +e\.g\./.test(line)) ?? "";
    expect(example).not.toMatch(/pwned|\[2J/);
    expect(example).toMatch(/evil$/);
  });
});
