/** TLS (SPEC §2): a certificate nobody vouches for is ETLS, unless --insecure. */
import { afterAll, beforeAll, describe, it } from "vitest";
import { runCli, sharedRun } from "../helpers/cli.js";
import { recordFor } from "../helpers/records.js";
import { type HttpTestServer, httpsServer, page, sendHtml } from "../helpers/servers.js";

let server: HttpTestServer;

beforeAll(async () => {
  server = await httpsServer((_req, res) => sendHtml(res, page("Secret garden")));
});
afterAll(() => server.close());

// Both names the certificate is for, in one run.
const strict = sharedRun(() => runCli([`${server.url}/`, `https://localhost:${server.port}/`, "-r", "0"]));

describe.concurrent("https with a self-signed certificate", () => {
  it("fails with ETLS and no status, exit 1", async ({ expect }) => {
    const result = await strict();
    expect(result.code).toBe(1);
    expect(recordFor(result, `${server.url}/`)).toMatchObject({
      ok: false,
      status: null,
      error: { code: "ETLS" },
    });
  });

  it("fails with ETLS for localhost too (a name the certificate is for)", async ({ expect }) => {
    const result = await strict();
    expect(recordFor(result, `https://localhost:${server.port}/`)).toMatchObject({
      ok: false,
      error: { code: "ETLS" },
    });
  });

  it("succeeds with --insecure", async ({ expect }) => {
    const result = await runCli([`${server.url}/`, "--insecure"]);
    expect(result.code).toBe(0);
    expect(result.records[0]).toMatchObject({ ok: true, status: 200, title: "Secret garden", error: null });
  });
});
