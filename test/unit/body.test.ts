import { Readable } from "node:stream";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { TrawlError } from "../../src/errors.js";
import { decodersFor, readBody } from "../../src/http/body.js";

const TEXT = Buffer.from(`<!doctype html><title>Compressed</title>${"<p>hello, body</p>\n".repeat(2000)}`);
const MiB = 1024 * 1024;
const never = () => new AbortController().signal;

/** A readable over the buffers, cut into small chunks so decoders see a real stream. */
function streamOf(data: Buffer, chunkSize = 1000): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkSize) chunks.push(data.subarray(i, i + chunkSize));
  return Readable.from(chunks);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("readBody", () => {
  it("returns an identity body unchanged", async () => {
    expect((await readBody(streamOf(TEXT), null, 10 * MiB, never())).equals(TEXT)).toBe(true);
    expect((await readBody(streamOf(TEXT), "identity", 10 * MiB, never())).equals(TEXT)).toBe(true);
  });

  it("returns an empty buffer for an empty body", async () => {
    expect((await readBody(Readable.from([]), null, 10, never())).length).toBe(0);
  });

  it("decodes gzip (and x-gzip, any case)", async () => {
    const gz = zlib.gzipSync(TEXT);
    expect((await readBody(streamOf(gz), "gzip", 10 * MiB, never())).equals(TEXT)).toBe(true);
    expect((await readBody(streamOf(gz), "x-gzip", 10 * MiB, never())).equals(TEXT)).toBe(true);
    expect((await readBody(streamOf(gz), "GZIP", 10 * MiB, never())).equals(TEXT)).toBe(true);
  });

  it("decodes zlib-wrapped deflate", async () => {
    const deflated = zlib.deflateSync(TEXT);
    expect((await readBody(streamOf(deflated), "deflate", 10 * MiB, never())).equals(TEXT)).toBe(true);
  });

  it("decodes raw deflate sent as deflate", async () => {
    const raw = zlib.deflateRawSync(TEXT);
    expect((await readBody(streamOf(raw), "deflate", 10 * MiB, never())).equals(TEXT)).toBe(true);
  });

  // The zlib-or-raw decision needs the first two bytes, which may arrive in separate chunks.
  it("decodes zlib-wrapped deflate whose first chunk holds one byte", async () => {
    const deflated = zlib.deflateSync(TEXT);
    const source = Readable.from([deflated.subarray(0, 1), deflated.subarray(1)]);
    expect((await readBody(source, "deflate", 10 * MiB, never())).equals(TEXT)).toBe(true);
  });

  it("decodes raw deflate whose first chunk holds one byte", async () => {
    const raw = zlib.deflateRawSync(TEXT);
    const source = Readable.from([raw.subarray(0, 1), raw.subarray(1)]);
    expect((await readBody(source, "deflate", 10 * MiB, never())).equals(TEXT)).toBe(true);
  });

  it("decodes deflate delivered one byte per chunk", async () => {
    const small = Buffer.from("<title>tiny</title>");
    for (const compressed of [zlib.deflateSync(small), zlib.deflateRawSync(small)]) {
      expect((await readBody(streamOf(compressed, 1), "deflate", MiB, never())).equals(small)).toBe(true);
    }
  });

  it("decodes brotli", async () => {
    const br = zlib.brotliCompressSync(TEXT);
    expect((await readBody(streamOf(br), "br", 10 * MiB, never())).equals(TEXT)).toBe(true);
  });

  it('decodes stacked codings in reverse order of "gzip, br"', async () => {
    const stacked = zlib.brotliCompressSync(zlib.gzipSync(TEXT));
    expect((await readBody(streamOf(stacked), "gzip, br", 10 * MiB, never())).equals(TEXT)).toBe(true);
    const other = zlib.gzipSync(zlib.deflateSync(TEXT));
    expect((await readBody(streamOf(other), "deflate,gzip", 10 * MiB, never())).equals(TEXT)).toBe(true);
  });

  it("accepts a decoded body of exactly maxBytes", async () => {
    const body = await readBody(streamOf(zlib.gzipSync(TEXT)), "gzip", TEXT.length, never());
    expect(body.length).toBe(TEXT.length);
  });

  it("counts the decoded size, not the compressed size, against maxBytes", async () => {
    const gz = zlib.gzipSync(TEXT);
    expect(gz.length).toBeLessThan(TEXT.length - 1);
    const error = await rejection(readBody(streamOf(gz), "gzip", TEXT.length - 1, never()));
    expect(error).toBeInstanceOf(TrawlError);
    expect((error as TrawlError).code).toBe("EBODYTOOLARGE");
  });

  it("rejects an identity body over maxBytes with EBODYTOOLARGE", async () => {
    const error = await rejection(readBody(streamOf(TEXT), null, 100, never()));
    expect((error as TrawlError).code).toBe("EBODYTOOLARGE");
  });

  // 20 MB of zeros, each well under 100 kB compressed.
  const BOMBS = {
    gzip: () => zlib.gzipSync(Buffer.alloc(20 * MiB), { level: 9 }),
    deflate: () => zlib.deflateSync(Buffer.alloc(20 * MiB), { level: 9 }),
    br: () => zlib.brotliCompressSync(Buffer.alloc(20 * MiB), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } }),
  } as const;

  // Tearing down a pipeline whose decoder is still producing makes Node report an AbortError; the
  // size cap must still come out as EBODYTOOLARGE, not as EABORTED.
  it.each(Object.keys(BOMBS) as (keyof typeof BOMBS)[])(
    "cuts a %s bomb (20 MB of zeros) at maxBytes 1 MiB with EBODYTOOLARGE, without ballooning memory",
    async (coding) => {
      const bomb = BOMBS[coding]();
      expect(bomb.length).toBeLessThan(100 * 1024);
      const rssBefore = process.memoryUsage().rss;
      let peak = rssBefore;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 1);
      const started = performance.now();
      let error: unknown;
      try {
        error = await rejection(readBody(streamOf(bomb, 4096), coding, MiB, never()));
      } finally {
        clearInterval(sampler);
      }
      expect(error).toBeInstanceOf(TrawlError);
      expect((error as TrawlError).code).toBe("EBODYTOOLARGE");
      peak = Math.max(peak, process.memoryUsage().rss);
      expect(peak - rssBefore).toBeLessThan(100 * MiB);
      expect(performance.now() - started).toBeLessThan(2000);
    },
  );

  it("stops reading the source once the cap is passed", async () => {
    let pulled = 0;
    const endless = Readable.from(
      (function* () {
        for (;;) {
          pulled++;
          yield Buffer.alloc(64 * 1024);
        }
      })(),
    );
    const error = await rejection(readBody(endless, null, MiB, never()));
    expect((error as TrawlError).code).toBe("EBODYTOOLARGE");
    expect(pulled).toBeLessThan(64);
    expect(endless.destroyed).toBe(true);
  });

  it("fails on corrupt compressed data rather than returning garbage", async () => {
    const garbage = Buffer.from("this is not gzip at all, not even close".repeat(10));
    await expect(readBody(streamOf(garbage), "gzip", MiB, never())).rejects.toThrow();
  });

  it("rejects when the signal aborts mid-body", async () => {
    const controller = new AbortController();
    const slow = new Readable({ read() {} });
    slow.push(Buffer.from("partial"));
    const reading = readBody(slow, null, MiB, controller.signal);
    setTimeout(() => controller.abort(), 20);
    const error = await rejection(reading);
    expect((error as Error).name).toBe("AbortError");
    expect(slow.destroyed).toBe(true);
  });
});

describe("decodersFor", () => {
  it("builds one decoder per known coding and skips identity and unknown ones", () => {
    expect(decodersFor(null)).toHaveLength(0);
    expect(decodersFor("identity")).toHaveLength(0);
    expect(decodersFor("gzip")).toHaveLength(1);
    expect(decodersFor("gzip, br")).toHaveLength(2);
    expect(decodersFor("gzip, identity, deflate")).toHaveLength(2);
    expect(decodersFor("zstd")).toHaveLength(0);
  });
});
