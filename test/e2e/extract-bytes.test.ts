/**
 * `bytes` is the decoded body's size whatever extraction does with the body: a page big enough to be
 * handed (moved, not copied) to a parse thread once had `bytes: 0`, as its buffer was read after the move.
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { type HttpTestServer, httpServer, page, routes, sendHtml } from "../helpers/servers.js";

let server: HttpTestServer;

// Past Node's buffer pool (4 KB) a body owns its memory, and that is what gets moved to a thread.
const BIG = page("Big", `<h1>Big page</h1>${"<p>filler paragraph text</p>".repeat(4_000)}`);
const SMALL = page("Small", "<h1>Small page</h1>");

beforeAll(async () => {
  server = await httpServer(
    routes({
      "/big": (_req, res) => sendHtml(res, BIG),
      "/small": (_req, res) => sendHtml(res, SMALL),
    }),
  );
});
afterAll(() => server.close());

describe.concurrent("bytes with -s", () => {
  it("is the body's size for a page parsed on a parse thread, big or small", async ({ expect }) => {
    const result = await runCli([`${server.url}/big`, `${server.url}/small`, "-s", "h=h1", "--ordered"]);
    expect(result.code).toBe(0);
    const [big, small] = result.records;
    expect(big).toMatchObject({ bytes: Buffer.byteLength(BIG), data: { h: "Big page" } });
    expect(small).toMatchObject({ bytes: Buffer.byteLength(SMALL), data: { h: "Small page" } });
  });

  it("is the body's size with --save too", async ({ expect }) => {
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = await mkdtemp(join(tmpdir(), "trawl-extract-bytes-"));
    try {
      const result = await runCli([`${server.url}/big`, "-s", "h=h1", "--save", dir]);
      expect(result.records[0]).toMatchObject({ bytes: Buffer.byteLength(BIG), data: { h: "Big page" } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
