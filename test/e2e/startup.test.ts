/** Start-up stays light (issue 5): --version and --help load no heavy module. */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { binPath, type CliResult, collect, spawnNode } from "../helpers/cli.js";
import { httpServer } from "../helpers/servers.js";

const trace = fileURLToPath(new URL("../helpers/trace-imports.mjs", import.meta.url));

function packagesIn(stderr: string): Set<string> {
  const packages = new Set<string>();
  for (const line of stderr.split("\n")) {
    const match = /^import-trace .*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line);
    if (match?.[1]) packages.add(match[1]);
  }
  return packages;
}

/** Runs `trawl …args` with every module it loads traced to stderr. */
function tracedRun(args: string[]): Promise<CliResult> {
  return collect(spawnNode(["--import", trace, binPath, ...args]));
}

describe("start-up", () => {
  for (const args of [["--version"], ["--help"]]) {
    it(`trawl ${args[0]} loads at most commander, not undici, cheerio, htmlparser2 or ora`, async () => {
      const { code, stderr, stdout } = await tracedRun(args);
      const packages = packagesIn(stderr);
      expect(code).toBe(0);
      expect(stdout.length).toBeGreaterThan(0);
      // --help needs commander; a lone --version answers before even that loads.
      expect(packages.has("commander")).toBe(args[0] === "--help");
      for (const heavy of ["undici", "cheerio", "htmlparser2", "ora", "tldts", "robots-parser"]) {
        expect(packages.has(heavy), heavy).toBe(false);
      }
    });
  }

  it("the trace does see the heavy modules of a real run (so the check above can fail)", async () => {
    const { stderr } = await tracedRun(["-q", "http://127.0.0.1:9/"]);
    expect(packagesIn(stderr).has("undici")).toBe(true);
  });

  // What a run does not use, it does not load: a plain title-only run reads the title with the byte
  // scan and needs no tokenizer, no crawl or robots module, and only undici's dispatcher.
  it("a title-only run loads no tokenizer, crawl, robots or cheerio module, nor undici's index", async () => {
    const server = await httpServer((_request, response) => {
      response.setHeader("content-type", "text/html; charset=utf-8");
      response.end("<!doctype html><html><head><meta charset=utf-8><title>Plain &amp; simple</title></head><body>x</body></html>");
    });
    try {
      const { code, stdout, stderr } = await tracedRun(["-q", `${server.url}/`]);
      expect(code).toBe(0);
      expect(JSON.parse(stdout).title).toBe("Plain & simple");
      const packages = packagesIn(stderr);
      expect(packages.has("undici")).toBe(true);
      for (const unused of ["htmlparser2", "domutils", "cheerio", "tldts", "robots-parser", "ora"]) {
        expect(packages.has(unused), unused).toBe(false);
      }
      expect(stderr).not.toMatch(/node_modules\/undici\/index\.js/);
    } finally {
      await server.close();
    }
  });
});
