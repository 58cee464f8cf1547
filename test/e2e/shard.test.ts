/** --shard k/n (SPEC §1): n jobs over one list overlap nowhere and miss nothing. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { type HttpTestServer, httpServer, page } from "../helpers/servers.js";

let server: HttpTestServer;
beforeAll(async () => {
  server = await httpServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(page("shard"));
  });
});
afterAll(() => server.close());

describe("--shard", () => {
  // Three runs side by side on a 2-core machine: more than the default.
  it("splits one list over three runs with no overlap and no gap, bad lines included", { timeout: 30_000 }, async () => {
    const lines = [...Array.from({ length: 60 }, (_, i) => `${server.url}/item/${i}`), "not a url", "mailto:x@example.com"];
    const input = `${lines.join("\n")}\n`;
    const runs = await Promise.all([1, 2, 3].map((k) => runCli(["--shard", `${k}/3`, "-q", "-c", "4"], { input })));
    const seen = runs.flatMap((run) => run.records.map((record) => record.url));
    expect(seen.toSorted()).toEqual(lines.toSorted());
    expect(new Set(seen).size).toBe(lines.length);
    // Every shard got a share: the split is a real split, not all-in-one.
    for (const run of runs) expect(run.records.length).toBeGreaterThan(5);
  });

  it("rejects a bad shard with a usage error", async () => {
    const result = await runCli(["--shard", "4/3", `${server.url}/x`]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^trawl: --shard must be k\/n/);
  });
});
