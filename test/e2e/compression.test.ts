/**
 * Content-Encoding (SPEC §2): gzip, deflate and br bodies are decoded, `bytes` is the decoded size,
 * and --max-bytes caps the decoded size, so a small compressed bomb is cut early.
 */
import type { ServerResponse } from "node:http";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, it } from "vitest";
import { collect, runCli, sharedRun, spawnCli, watchPeakMemory } from "../helpers/cli.js";
import { recordFor } from "../helpers/records.js";
import { type HttpTestServer, httpServer, page, routes } from "../helpers/servers.js";

// Long enough that compression is real and a raw (undecoded) length could not match by chance.
const HTML = page("Squeezed page", `<p>${"All work and no play makes Jack a dull boy. ".repeat(200)}</p>`);
const DECODED_BYTES = Buffer.byteLength(HTML);
let server: HttpTestServer;
let bomb: Buffer;
const BOMB_MB = 200;

function sendEncoded(res: ServerResponse, encoding: string, body: Buffer): void {
  res.writeHead(200, { "content-type": "text/html", "content-encoding": encoding, "content-length": body.length });
  res.end(body);
}

beforeAll(async () => {
  // 200 MB of zeros is about 200 kB gzipped (about a second to make). That size keeps the memory
  // check below meaningful: reading the whole body would cost far more than a node process does.
  bomb = zlib.gzipSync(Buffer.alloc(BOMB_MB * 1024 * 1024));
  server = await httpServer(
    routes({
      "/gzip": (_req, res) => sendEncoded(res, "gzip", zlib.gzipSync(HTML)),
      "/deflate": (_req, res) => sendEncoded(res, "deflate", zlib.deflateSync(HTML)),
      "/br": (_req, res) => sendEncoded(res, "br", zlib.brotliCompressSync(HTML)),
      "/bomb": (_req, res) => sendEncoded(res, "gzip", bomb),
      // Zeros gzipped on the fly for as long as the client keeps reading: only a cut ends it.
      "/endless-bomb": (_req, res) => {
        res.writeHead(200, { "content-type": "text/html", "content-encoding": "gzip" });
        const gzip = zlib.createGzip();
        gzip.pipe(res);
        const zeros = Buffer.alloc(1024 * 1024);
        const pump = () => {
          while (!res.destroyed && gzip.write(zeros));
          if (!res.destroyed) gzip.once("drain", pump);
        };
        res.on("close", () => gzip.destroy());
        pump();
      },
    }),
  );
});
afterAll(() => server.close());

// gzip, deflate and br in one run; both bombs in another.
const decoded = sharedRun(() => runCli(["gzip", "deflate", "br"].map((encoding) => `${server.url}/${encoding}`)));
let bombMemory: { peakMb(): number | null };
const bombs = sharedRun(() => {
  const child = spawnCli([`${server.url}/bomb`, `${server.url}/endless-bomb`, "--max-bytes", "1mb", "-t", "8s", "-r", "0"]);
  bombMemory = watchPeakMemory(child);
  return collect(child);
});

describe.concurrent("compressed bodies", () => {
  for (const encoding of ["gzip", "deflate", "br"]) {
    it(`decodes ${encoding}: title extracted, bytes is the decoded size`, async ({ expect }) => {
      const result = await decoded();
      expect(result.code).toBe(0);
      expect(recordFor(result, `${server.url}/${encoding}`)).toMatchObject({
        ok: true,
        status: 200,
        title: "Squeezed page",
        bytes: DECODED_BYTES,
      });
    });
  }

  it(`cuts a ${BOMB_MB} MB gzip bomb at --max-bytes 1mb with EBODYTOOLARGE`, async ({ expect }) => {
    const result = await bombs();
    expect(result.code).toBe(1);
    const record = recordFor(result, `${server.url}/bomb`);
    expect(record).toMatchObject({ ok: false, status: 200, attempts: 1, error: { code: "EBODYTOOLARGE" } });
    expect(record.bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(record.ms).toBeLessThan(4_000);
  });

  it("cuts an endless gzip stream instead of reading until the timeout", async ({ expect }) => {
    // Without a cut the attempt would run to -t 8s and end as ETIMEOUT.
    const result = await bombs();
    const record = recordFor(result, `${server.url}/endless-bomb`);
    expect(record).toMatchObject({ ok: false, status: 200, error: { code: "EBODYTOOLARGE" } });
    expect(record.ms).toBeLessThan(4_000);
  });

  it("stays far below the bombs' decoded size in memory", async ({ expect }) => {
    await bombs();
    const peakMb = bombMemory.peakMb();
    // null off Linux (no /proc): nothing to measure there.
    if (peakMb !== null) expect(peakMb).toBeLessThan(BOMB_MB + 50);
  });

  it("counts the decoded size, not the compressed size, against --max-bytes", async ({ expect }) => {
    // The gzip body is far below 4 kB but the page decodes to about 9 kB.
    expect(zlib.gzipSync(HTML).length).toBeLessThan(4096);
    expect(DECODED_BYTES).toBeGreaterThan(4096);
    const result = await runCli([`${server.url}/gzip`, "--max-bytes", "4kb", "-r", "0"]);
    expect(result.records[0]?.error?.code).toBe("EBODYTOOLARGE");
  });
});
