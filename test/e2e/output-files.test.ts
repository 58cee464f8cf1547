/** Issue 12 #5: files and folders named by flags are checked before anything is fetched. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { type HttpTestServer, httpServer, page, sendHtml } from "../helpers/servers.js";

let server: HttpTestServer;
let dir: string;
beforeAll(async () => {
  server = await httpServer((_req, res) => sendHtml(res, page("fetched")));
  dir = mkdtempSync(join(tmpdir(), "trawl-files-"));
  writeFileSync(join(dir, "afile"), "not a folder");
  writeFileSync(join(dir, "keep.ndjson"), "precious\n");
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a flag's file or folder that cannot be written", () => {
  it.each([
    ["--save into a file", ["--save", "afile"], /^trawl: --save .*afile: cannot write into it \(ENOTDIR\)$/],
    ["--save under a file", ["--save", "afile/sub"], /^trawl: --save .*afile\/sub: cannot write into it/],
    ["--summary into a folder", ["--summary", "."], /^trawl: --summary \.: cannot write it \(EISDIR\)$/],
    ["--summary in a missing folder", ["--summary", "nowhere/s.json"], /^trawl: --summary nowhere\/s\.json: cannot write it \(ENOENT\)$/],
    ["--output into a folder", ["-o", "."], /^trawl: --output \.: cannot write it \(EISDIR\)$/],
    ["--junit naming the output", ["--junit", "keep.ndjson"], /^trawl: --output and --junit name the same file \(keep\.ndjson\)/],
    ["--summary naming the output", ["--summary", "./keep.ndjson"], /^trawl: --output and --summary name the same file/],
  ])("%s: exit 2, one line naming it, nothing fetched or written", async (_name, args, message) => {
    const before = server.requests;
    const output = args.includes("-o") ? [] : ["-o", "keep.ndjson"];
    const result = await runCli([...args, ...output, `${server.url}/`], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(server.requests).toBe(before);
    // The output file named too is left as it was (it is checked after the others, or is the one at fault).
    expect(readFileSync(join(dir, "keep.ndjson"), "utf8")).toBe("precious\n");
  });
});
