/** Start-up stays light (issue 5): --version and --help load no heavy module. */
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { binPath, cliEnv } from "../helpers/cli.js";

const trace = fileURLToPath(new URL("../helpers/trace-imports.mjs", import.meta.url));

function packagesIn(stderr: string): Set<string> {
  const packages = new Set<string>();
  for (const line of stderr.split("\n")) {
    const match = /^import-trace .*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line);
    if (match?.[1]) packages.add(match[1]);
  }
  return packages;
}

function loadedPackages(args: string[]): { status: number | null; packages: Set<string>; stdout: string } {
  const result = spawnSync(process.execPath, ["--import", trace, binPath, ...args], { env: cliEnv(), encoding: "utf8" });
  return { status: result.status, packages: packagesIn(result.stderr), stdout: result.stdout };
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

  // What a run does not use, it does not load: a plain title-only run reads the title with the byte
  // scan and needs no tokenizer, no crawl or robots module, and only undici's dispatcher.
  it("a title-only run loads no tokenizer, crawl, robots or cheerio module, nor undici's index", { timeout: 20_000 }, async () => {
    const server = createServer((_request, response) => {
      response.setHeader("content-type", "text/html; charset=utf-8");
      response.end("<!doctype html><html><head><meta charset=utf-8><title>Plain &amp; simple</title></head><body>x</body></html>");
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const child = spawn(process.execPath, ["--import", trace, binPath, "-q", url], { env: cliEnv() });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      const [status] = await once(child, "close");
      expect(status).toBe(0);
      expect(JSON.parse(stdout).title).toBe("Plain & simple");
      const packages = packagesIn(stderr);
      expect(packages.has("undici")).toBe(true);
      for (const unused of ["htmlparser2", "domutils", "cheerio", "tldts", "robots-parser", "ora"]) {
        expect(packages.has(unused), unused).toBe(false);
      }
      expect(stderr).not.toMatch(/node_modules\/undici\/index\.js/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
