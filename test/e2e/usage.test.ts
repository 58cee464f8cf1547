/**
 * The command line itself (SPEC §5): usage errors exit 2 with one line on stderr naming the problem
 * and nothing on stdout; -V and --help exit 0.
 */
import { readFileSync } from "node:fs";
import { describe, it } from "vitest";
import { repoRoot, runCli } from "../helpers/cli.js";

const { version } = JSON.parse(readFileSync(`${repoRoot}package.json`, "utf8")) as { version: string };
// A URL nobody will fetch: every case below must fail before any request is made.
const URL_ARG = "http://127.0.0.1:9/";

describe.concurrent("usage errors: exit 2, one line on stderr, nothing on stdout", () => {
  const cases: { name: string; args: string[]; input?: string; mentions: RegExp }[] = [
    { name: "-c 0", args: ["-c", "0", URL_ARG], mentions: /concurrency/ },
    { name: "-c two", args: ["-c", "two", URL_ARG], mentions: /concurrency/ },
    { name: "--per-host 0", args: ["--per-host", "0", URL_ARG], mentions: /per-host/ },
    { name: "-t soon", args: ["-t", "soon", URL_ARG], mentions: /timeout/ },
    { name: "-r many", args: ["-r", "many", URL_ARG], mentions: /retries/ },
    { name: "--retry-delay later", args: ["--retry-delay", "later", URL_ARG], mentions: /retry-delay/ },
    { name: "--max-redirects lots", args: ["--max-redirects", "lots", URL_ARG], mentions: /max-redirects/ },
    { name: "--max-bytes lots", args: ["--max-bytes", "lots", URL_ARG], mentions: /max-bytes/ },
    { name: "--format xml", args: ["--format", "xml", URL_ARG], mentions: /format/ },
    { name: "-H without a colon", args: ["-H", "NoColonHere", URL_ARG], mentions: /header/i },
    { name: "-s without =", args: ["-s", "h1", URL_ARG], mentions: /select/ },
    { name: "--proxy not a URL", args: ["--proxy", "not a url", URL_ARG], mentions: /proxy/ },
    { name: "-i /nonexistent", args: ["-i", "/nonexistent/urls.txt"], mentions: /nonexistent/ },
    { name: "an unknown option", args: ["--frobnicate", URL_ARG], mentions: /frobnicate/ },
    { name: "no URLs at all (empty stdin)", args: [], input: "", mentions: /URL/i },
    { name: "stdin with only comments and blanks", args: [], input: "# nothing\n\n   \n", mentions: /URL/i },
  ];
  for (const { name, args, input, mentions } of cases) {
    it(name, async ({ expect }) => {
      const result = await runCli(args, input === undefined ? {} : { input });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      const lines = result.stderr.trimEnd().split("\n");
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^trawl: /);
      expect(lines[0]).toMatch(mentions);
    });
  }
});

describe.concurrent("-V and --help", () => {
  it("-V prints the package version and exits 0", async ({ expect }) => {
    for (const flag of ["-V", "--version"]) {
      const result = await runCli([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe(version);
    }
  });

  it("--help exits 0 and mentions every option", async ({ expect }) => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    const help = result.stdout;
    const options = [
      ["-i", "--input"],
      ["-c", "--concurrency"],
      [null, "--per-host"],
      ["-t", "--timeout"],
      ["-r", "--retries"],
      [null, "--retry-delay"],
      [null, "--max-redirects"],
      [null, "--max-bytes"],
      ["-H", "--header"],
      ["-A", "--user-agent"],
      [null, "--proxy"],
      [null, "--insecure"],
      ["-s", "--select"],
      [null, "--no-dedupe"],
      [null, "--ordered"],
      ["-o", "--output"],
      [null, "--format"],
      ["-q", "--quiet"],
      ["-v", "--verbose"],
      [null, "--allow-failures"],
      ["-h", "--help"],
      ["-V", "--version"],
    ] as const;
    for (const [short, long] of options) {
      expect(help, long).toContain(long);
      if (short) expect(help, short).toMatch(new RegExp(`${short}\\b`));
    }
    // With examples (SPEC §5).
    expect(help).toMatch(/example/i);
    expect(help).toContain("trawl ");
  });

  it("-h is --help", async ({ expect }) => {
    const [short, long] = await Promise.all([runCli(["-h"]), runCli(["--help"])]);
    expect(short.code).toBe(0);
    expect(short.stdout).toBe(long.stdout);
  });
});
