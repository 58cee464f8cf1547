import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { TrawlError } from "../../src/errors.js";
import { createBodySink, decodersFor, encodedLimit, queuedLimit } from "../../src/http/body.js";

const TEXT = Buffer.from(`<!doctype html><title>Compressed</title>${"<p>hello, body</p>\n".repeat(2000)}`);
const MiB = 1024 * 1024;

/** The data cut into small chunks, so decoders see a real stream. */
function chunked(data: Buffer, chunkSize = 1000): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkSize) chunks.push(data.subarray(i, i + chunkSize));
  return chunks;
}

/**
 * Feeds chunks to a body sink as undici's dispatch handler does (all of them, with no pause), and
 * settles with what the sink reports.
 */
function readBody(chunks: Iterable<Buffer>, encoding: string | null, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const iterator = chunks[Symbol.iterator]();
    let settled = false;
    const sink = createBodySink(encoding, maxBytes, {
      done: (body) => {
        settled = true;
        resolve(body);
      },
      fail: (error) => {
        settled = true;
        reject(error);
      },
    });
    while (!settled) {
      const next = iterator.next();
      if (next.done) {
        sink.end();
        break;
      }
      sink.write(next.value);
    }
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("createBodySink", () => {
  it("returns an identity body unchanged", async () => {
    expect((await readBody(chunked(TEXT), null, 10 * MiB)).equals(TEXT)).toBe(true);
    expect((await readBody(chunked(TEXT), "identity", 10 * MiB)).equals(TEXT)).toBe(true);
  });

  it("returns an empty buffer for an empty body", async () => {
    expect((await readBody([], null, 10)).length).toBe(0);
  });

  it("decodes gzip (and x-gzip, any case)", async () => {
    const gz = zlib.gzipSync(TEXT);
    expect((await readBody(chunked(gz), "gzip", 10 * MiB)).equals(TEXT)).toBe(true);
    expect((await readBody(chunked(gz), "x-gzip", 10 * MiB)).equals(TEXT)).toBe(true);
    expect((await readBody(chunked(gz), "GZIP", 10 * MiB)).equals(TEXT)).toBe(true);
  });

  it("decodes zlib-wrapped deflate", async () => {
    const deflated = zlib.deflateSync(TEXT);
    expect((await readBody(chunked(deflated), "deflate", 10 * MiB)).equals(TEXT)).toBe(true);
  });

  it("decodes raw deflate sent as deflate", async () => {
    const raw = zlib.deflateRawSync(TEXT);
    expect((await readBody(chunked(raw), "deflate", 10 * MiB)).equals(TEXT)).toBe(true);
  });

  // The zlib-or-raw decision needs the first two bytes, which may arrive in separate chunks.
  it("decodes zlib-wrapped deflate whose first chunk holds one byte", async () => {
    const deflated = zlib.deflateSync(TEXT);
    expect((await readBody([deflated.subarray(0, 1), deflated.subarray(1)], "deflate", 10 * MiB)).equals(TEXT)).toBe(true);
  });

  it("decodes raw deflate whose first chunk holds one byte", async () => {
    const raw = zlib.deflateRawSync(TEXT);
    expect((await readBody([raw.subarray(0, 1), raw.subarray(1)], "deflate", 10 * MiB)).equals(TEXT)).toBe(true);
  });

  it("decodes deflate delivered one byte per chunk", async () => {
    const small = Buffer.from("<title>tiny</title>");
    for (const compressed of [zlib.deflateSync(small), zlib.deflateRawSync(small)]) {
      expect((await readBody(chunked(compressed, 1), "deflate", MiB)).equals(small)).toBe(true);
    }
  });

  it("decodes brotli", async () => {
    const br = zlib.brotliCompressSync(TEXT);
    expect((await readBody(chunked(br), "br", 10 * MiB)).equals(TEXT)).toBe(true);
  });

  it('decodes stacked codings in reverse order of "gzip, br"', async () => {
    const stacked = zlib.brotliCompressSync(zlib.gzipSync(TEXT));
    expect((await readBody(chunked(stacked), "gzip, br", 10 * MiB)).equals(TEXT)).toBe(true);
    const other = zlib.gzipSync(zlib.deflateSync(TEXT));
    expect((await readBody(chunked(other), "deflate,gzip", 10 * MiB)).equals(TEXT)).toBe(true);
  });

  it("accepts a decoded body of exactly maxBytes", async () => {
    const body = await readBody(chunked(zlib.gzipSync(TEXT)), "gzip", TEXT.length);
    expect(body.length).toBe(TEXT.length);
  });

  it("counts the decoded size, not the compressed size, against maxBytes", async () => {
    const gz = zlib.gzipSync(TEXT);
    expect(gz.length).toBeLessThan(TEXT.length - 1);
    const error = await rejection(readBody(chunked(gz), "gzip", TEXT.length - 1));
    expect(error).toBeInstanceOf(TrawlError);
    expect((error as TrawlError).code).toBe("EBODYTOOLARGE");
  });

  it("rejects an identity body over maxBytes with EBODYTOOLARGE", async () => {
    const error = await rejection(readBody(chunked(TEXT), null, 100));
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
        error = await rejection(readBody(chunked(bomb, 4096), coding, MiB));
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

  it("fails as soon as the cap is passed, without waiting for the rest", () => {
    let written = 0;
    let failure: unknown = null;
    const sink = createBodySink(null, MiB, { done: () => undefined, fail: (error) => (failure = error) });
    while (failure === null && written < 1000) {
      sink.write(Buffer.alloc(64 * 1024));
      written++;
    }
    expect((failure as TrawlError | null)?.code).toBe("EBODYTOOLARGE");
    expect(written).toBe(17);
  });

  // A body can be larger encoded than decoded: incompressible data in stored blocks, or a server
  // that flushes often. None of that may be refused while it decodes within maxBytes.
  it.each(["gzip", "deflate", "br"])("accepts incompressible data of exactly maxBytes sent as %s", async (coding) => {
    const random = randomBytes(MiB);
    const encoded =
      coding === "gzip"
        ? zlib.gzipSync(random, { level: 0 })
        : coding === "deflate"
          ? zlib.deflateSync(random, { level: 0 })
          : zlib.brotliCompressSync(random, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 0 } });
    expect(encoded.length).toBeGreaterThan(MiB);
    expect((await readBody(chunked(encoded, 16 * 1024), coding, MiB)).equals(random)).toBe(true);
  });

  it("accepts a gzip body flushed every 64 bytes, 15% larger encoded than its maxBytes", async () => {
    const random = randomBytes(128 * 1024);
    const gzip = zlib.createGzip();
    const parts: Buffer[] = [];
    gzip.on("data", (part: Buffer) => parts.push(part));
    for (let at = 0; at < random.length; at += 64) {
      gzip.write(random.subarray(at, at + 64));
      await new Promise<void>((resolve) => gzip.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
    }
    await new Promise((resolve) => gzip.end(resolve));
    const encoded = Buffer.concat(parts);
    expect(encoded.length).toBeGreaterThan(random.length * 1.1);
    expect((await readBody(chunked(encoded, 16 * 1024), "gzip", random.length)).equals(random)).toBe(true);
  });

  // Empty stored blocks decode to nothing: sent faster than the decoder takes them, they would pile
  // up in its input. Past the queued limit the body is too large, whatever it would decode to.
  it("cuts a flood of empty deflate blocks once what waits for the decoder passes its limit", () => {
    const emptyStoredBlock = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);
    const chunk = Buffer.concat(Array.from({ length: 1000 }, () => emptyStoredBlock));
    let failure: unknown = null;
    const sink = createBodySink("deflate", 64 * 1024, { done: () => undefined, fail: (error) => (failure = error) });
    let written = 0;
    // Synchronous writes: the decoder gets no turn to drain its input in between.
    while (failure === null && written < 1000) {
      sink.write(chunk);
      written++;
    }
    expect((failure as TrawlError | null)?.code).toBe("EBODYTOOLARGE");
    expect(written * chunk.length).toBeGreaterThan(queuedLimit(64 * 1024));
    expect((written - 1) * chunk.length).toBeLessThanOrEqual(queuedLimit(64 * 1024) + chunk.length);
  });

  // Padding that decodes to nothing but is taken as fast as it comes: no queue builds up, so only
  // the total encoded size can end it before the attempt's timeout.
  it("ends a stream of empty deflate blocks once it passes four times maxBytes encoded", async () => {
    const emptyStoredBlock = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);
    const chunk = Buffer.concat(Array.from({ length: 2000 }, () => emptyStoredBlock));
    let failure: unknown = null;
    let written = 0;
    const sink = createBodySink("deflate", 64 * 1024, { done: () => undefined, fail: (error) => (failure = error) });
    // A millisecond after each 10 kB: the decoder keeps up (a turn of the event loop alone was not
    // always enough on a busy machine), so nothing queues and only the total can end it.
    while (failure === null && written < 2000) {
      sink.write(chunk);
      written++;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect((failure as TrawlError | null)?.code).toBe("EBODYTOOLARGE");
    expect(written * chunk.length).toBeGreaterThan(encodedLimit(64 * 1024));
    expect((written - 1) * chunk.length).toBeLessThanOrEqual(encodedLimit(64 * 1024));
  });

  // In "gzip, deflate" the deflate decoder's output feeds gunzip: when the next stage is slower, the
  // deflate stage must wait for it rather than hold its whole output (a deflate bomb of empty gzip
  // members would otherwise pile up there, under no size cap, since it decodes to nothing at the end).
  it("holds back a deflate stage's output while the stage after it is busy", async () => {
    const [decoder] = decodersFor("deflate") as [import("node:stream").Transform];
    let peak = 0;
    const slow = new Writable({
      write(_chunk, _encoding, callback) {
        peak = Math.max(peak, decoder.readableLength);
        setTimeout(callback, 1);
      },
    });
    const finished = new Promise((resolve, reject) => slow.on("finish", resolve).on("error", reject));
    decoder.pipe(slow);
    for (const chunk of chunked(zlib.deflateSync(Buffer.alloc(4 * MiB)), 16 * 1024)) decoder.write(chunk);
    decoder.end();
    await finished;
    // Without backpressure the decoder held most of the 4 MB; with it, about a buffer or two.
    expect(peak).toBeLessThan(256 * 1024);
  });

  it("fails on corrupt compressed data rather than returning garbage", async () => {
    const garbage = Buffer.from("this is not gzip at all, not even close".repeat(10));
    await expect(readBody(chunked(garbage), "gzip", MiB)).rejects.toThrow();
  });

  it("reports nothing once destroyed, even if the body then ends", async () => {
    for (const encoding of [null, "gzip"]) {
      const events: string[] = [];
      const sink = createBodySink(encoding, MiB, {
        done: () => events.push("done"),
        fail: () => events.push("fail"),
      });
      const data = encoding ? zlib.gzipSync(TEXT) : TEXT;
      sink.write(data.subarray(0, 100));
      sink.destroy();
      sink.write(data.subarray(100));
      sink.end();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(events, String(encoding)).toEqual([]);
    }
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
