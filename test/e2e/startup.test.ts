/** Start-up stays light (issue 5): --version and --help load no heavy module. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { binPath, cliEnv } from "../helpers/cli.js";

const trace = fileURLToPath(new URL("../helpers/trace-imports.mjs", import.meta.url));

function loadedPackages(args: string[]): { status: number | null; packages: Set<string>; stdout: string } {
  const result = spawnSync(process.execPath, ["--import", trace, binPath, ...args], { env: cliEnv(), encoding: "utf8" });
  const packages = new Set<string>();
  for (const line of result.stderr.split("\n")) {
    const match = /^import-trace .*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line);
    if (match?.[1]) packages.add(match[1]);
  }
  return { status: result.status, packages, stdout: result.stdout };
}

describe("start-up", () => {
  for (const args of [["--version"], ["--help"]]) {
    it(`trawl ${args[0]} loads at most commander, not undici, cheerio, htmlparser2 or ora`, { timeout: 20_000 }, () => {
      const { status, packages, stdout } = loadedPackages(args);
      expect(status).toBe(0);
      expect(stdout.length).toBeGreaterThan(0);
      // --help needs commander; a lone --version answers before even that loads.
      expect(packages.has("commander")).toBe(args[0] === "--help");
      for (const heavy of ["undici", "cheerio", "htmlparser2", "ora", "tldts", "robots-parser"]) {
        expect(packages.has(heavy), heavy).toBe(false);
      }
    });
  }

  it("the trace does see the heavy modules of a real run (so the check above can fail)", { timeout: 20_000 }, () => {
    const { packages } = loadedPackages(["-q", "http://127.0.0.1:9/"]);
    expect(packages.has("undici")).toBe(true);
  });
});
