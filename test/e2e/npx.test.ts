/**
 * trawl as an npx one-off (SPEC §8, issue 5): `npm pack` gives a tarball that holds the built CLI,
 * its type declarations and nothing of the sources or tests; installed into an empty folder it runs
 * with no build step and no dev dependencies: `trawl --version` and one real fetch of a local page.
 *
 * The pack runs in a copy of the checkout (without node_modules, .git or dist; node_modules is
 * linked), so `prepack` builds dist/ from the sources there, as on a fresh clone, and never rewrites
 * the dist/ that the other test files are running at the same time.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliEnv, parseRecords, repoRoot } from "../helpers/cli.js";
import { type HttpTestServer, httpServer, page, routes, sendHtml } from "../helpers/servers.js";

const npmOnPath = (process.env.PATH ?? "").split(delimiter).some((folder) => folder !== "" && existsSync(join(folder, "npm")));
const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };

let dir: string | undefined;
let server: HttpTestServer | undefined;

afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (never rejects on a non-zero exit; the test asserts the code). */
function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env, timeout = 90_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") reject(new Error(`${file} ${args.join(" ")}: ${error.message}\n${stderr}`));
      else resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
    });
  });
}

/** npm's environment: ours, without settings an outer `npm test` passes down to its scripts. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^npm_(config|package|lifecycle)_/i.test(name)) env[name] = value;
  }
  return env;
}

describe.skipIf(!npmOnPath)("npm pack, then install and run the tarball", () => {
  // npm pack (with its tsc build) and npm install take a minute on a busy machine, far over the default.
  it("packs bin, dist and types without sources or tests; the installed trawl prints its version and fetches a page", {
    timeout: 120_000,
  }, async () => {
    dir = mkdtempSync(join(tmpdir(), "trawl-npx-"));
    const checkout = join(dir, "checkout");
    const packed = join(dir, "packed");
    const project = join(dir, "project");
    cpSync(repoRoot, checkout, {
      recursive: true,
      filter: (source) => {
        const relative = source.slice(repoRoot.length).replace(/^[/\\]/, "");
        const top = relative.split(/[/\\]/)[0];
        return top !== "node_modules" && top !== ".git" && top !== "dist" && !/\.tgz$/.test(relative);
      },
    });
    symlinkSync(join(repoRoot, "node_modules"), join(checkout, "node_modules"), "dir");
    mkdirSync(packed);
    mkdirSync(project);

    // npm pack: prepack builds dist/ from src/.
    const pack = await run("npm", ["pack", "--pack-destination", packed], checkout, npmEnv());
    expect(pack.code, pack.stderr).toBe(0);
    const tarballs = readdirSync(packed).filter((name) => name.endsWith(".tgz"));
    expect(tarballs).toEqual([`trawl-${version}.tgz`]);
    const tarball = join(packed, tarballs[0] as string);

    const listing = await run("tar", ["-tzf", tarball], packed);
    expect(listing.code).toBe(0);
    const files = listing.stdout
      .split("\n")
      .filter(Boolean)
      .map((name) => name.replace(/^package\//, ""));
    for (const file of ["bin/trawl.js", "dist/cli/main.js", "dist/index.js", "dist/index.d.ts", "package.json", "README.md"]) {
      expect(files, file).toContain(file);
    }
    expect(files.filter((file) => /^(src|test|fixtures|node_modules|\.git|\.github)\//.test(file))).toEqual([]);
    expect(files.filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))).toEqual([]);

    // Install the tarball into an empty project, as npx does: dependencies only, no build.
    writeFileSync(join(project, "package.json"), `${JSON.stringify({ name: "trawl-npx-check", version: "1.0.0", private: true })}\n`);
    const install = await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], project, npmEnv());
    expect(install.code, install.stderr).toBe(0);
    const bin = join(project, "node_modules", ".bin", "trawl");
    expect(existsSync(bin)).toBe(true);
    // Runtime dependencies are there; dev dependencies are not.
    expect(existsSync(join(project, "node_modules", "undici"))).toBe(true);
    expect(existsSync(join(project, "node_modules", "typescript"))).toBe(false);
    expect(existsSync(join(project, "node_modules", "vitest"))).toBe(false);
    expect(existsSync(join(project, "node_modules", "trawl", "src"))).toBe(false);

    const versionRun = await run(bin, ["--version"], project, cliEnv(), 15_000);
    expect(versionRun.code, versionRun.stderr).toBe(0);
    expect(versionRun.stdout.trim()).toBe(version);

    server = await httpServer(routes({ "/hello": (_req, res) => sendHtml(res, page("Hello from a packed trawl", "<h1>hi</h1>")) }));
    const fetchRun = await run(bin, ["-s", "h1=h1", `${server.url}/hello`], project, cliEnv(), 15_000);
    expect(fetchRun.code, fetchRun.stderr).toBe(0);
    const records = parseRecords(fetchRun.stdout);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      url: `${server.url}/hello`,
      ok: true,
      status: 200,
      title: "Hello from a packed trawl",
      data: { h1: "hi" },
      error: null,
    });
    expect(fetchRun.stderr).toMatch(/^trawl: 1 URLs, 1 ok, 0 failed/m);
  });
});
