/** stderr (SPEC §5): -v logs one line per attempt, -q silences it, the summary appears otherwise. */
import { afterAll, beforeAll, describe, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { type HttpTestServer, httpServer, page, routes, sendHtml } from "../helpers/servers.js";

let server: HttpTestServer;
const seen: Record<string, number> = {};

beforeAll(async () => {
  server = await httpServer(
    routes({
      // Each distinct /flaky/<id> answers 503 twice, then 200.
      "/flaky/*": (req, res) => {
        const count = (seen[req.url!] ?? 0) + 1;
        seen[req.url!] = count;
        if (count <= 2) sendHtml(res, page("busy"), 503);
        else sendHtml(res, page("fine"));
      },
      "/ok": (_req, res) => sendHtml(res, page("Fine")),
    }),
  );
});
afterAll(() => server.close());

describe.concurrent("-v, --verbose", () => {
  it("prints one stderr line per attempt with URL and status", async ({ expect }) => {
    const flaky = `${server.url}/flaky/v1`;
    const ok = `${server.url}/ok`;
    const result = await runCli([flaky, ok, "-v", "--retry-delay", "10ms"]);
    expect(result.code).toBe(0);
    const lines = result.stderr.split("\n");
    const flakyLines = lines.filter((line) => line.includes(flaky));
    expect(flakyLines, result.stderr).toHaveLength(3);
    expect(flakyLines.filter((line) => line.includes("503"))).toHaveLength(2);
    expect(flakyLines.filter((line) => line.includes("200"))).toHaveLength(1);
    expect(lines.filter((line) => line.includes(ok))).toHaveLength(1);
    // Logging goes to stderr only: stdout still holds exactly the records.
    expect(result.records).toHaveLength(2);
  });

  it("names the error code of a failed attempt", async ({ expect }) => {
    const missing = `${server.url}/missing`;
    const result = await runCli([missing, "-v"]);
    const line = result.stderr.split("\n").find((l) => l.includes(missing));
    expect(line).toMatch(/404|EHTTP/);
  });
});

describe.concurrent("summary and -q, --quiet", () => {
  it("prints a summary on stderr without -q", async ({ expect }) => {
    const result = await runCli([`${server.url}/ok`]);
    expect(result.code).toBe(0);
    expect(result.stderr.trim()).not.toBe("");
  });

  it("prints nothing on stderr for a successful run with -q", async ({ expect }) => {
    const result = await runCli([`${server.url}/ok`, "-q"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.records).toHaveLength(1);
  });
});
