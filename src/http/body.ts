import { type Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { TrawlError } from "../errors.js";

// Lenient flushing, as browsers and curl do: a body cut short after the last full block still
// yields what was decoded instead of failing the page.
const LENIENT = { finishFlush: zlib.constants.Z_SYNC_FLUSH } as const;
const LENIENT_BROTLI = { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH } as const;

/**
 * "deflate" means zlib-wrapped data (RFC 9110 §8.4.1.2), but some servers send raw deflate.
 * Decide on the first bytes, as curl and browsers do.
 */
class DeflateDecoder extends Transform {
  private inflater: zlib.Inflate | zlib.InflateRaw | null = null;
  // The two header bytes may arrive in separate chunks: hold the first until the second comes.
  private held: Buffer | null = null;

  private start(head: Buffer): zlib.Inflate | zlib.InflateRaw {
    const first = head[0] ?? 0;
    const second = head[1] ?? 0;
    const zlibHeader = (first & 0x0f) === 8 && ((first << 8) | second) % 31 === 0;
    const inflater = zlibHeader ? zlib.createInflate(LENIENT) : zlib.createInflateRaw(LENIENT);
    inflater.on("data", (data: Buffer) => this.push(data));
    inflater.on("error", (error) => this.destroy(error));
    this.inflater = inflater;
    return inflater;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let data = chunk;
    if (!this.inflater) {
      data = this.held ? Buffer.concat([this.held, chunk]) : chunk;
      if (data.length < 2) {
        this.held = data;
        return callback();
      }
      this.held = null;
    }
    (this.inflater ?? this.start(data)).write(data, callback);
  }

  override _flush(callback: TransformCallback): void {
    const inflater = this.inflater ?? (this.held ? this.start(this.held) : null);
    if (!inflater) return callback();
    if (this.held) inflater.write(this.held);
    inflater.once("end", () => callback());
    inflater.end();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.inflater?.destroy();
    callback(error);
  }
}

function decoderFor(encoding: string): Transform | null {
  switch (encoding) {
    case "gzip":
    case "x-gzip":
      return zlib.createGunzip(LENIENT);
    case "deflate":
      return new DeflateDecoder();
    case "br":
      return zlib.createBrotliDecompress(LENIENT_BROTLI);
    default:
      return null;
  }
}

/** Decoders for a Content-Encoding list, outermost first (codings are listed in the order applied). */
export function decodersFor(contentEncoding: string | null): Transform[] {
  if (!contentEncoding) return [];
  return contentEncoding
    .toLowerCase()
    .split(",")
    .map((coding) => coding.trim())
    .filter((coding) => coding !== "" && coding !== "identity")
    .reverse()
    .map(decoderFor)
    .filter((decoder): decoder is Transform => decoder !== null);
}

/**
 * Reads a whole response body, decompressing it, and stops as soon as the decoded size passes
 * `maxBytes`: a compression bomb costs one record, never more than `maxBytes` of memory.
 */
export async function readBody(
  body: Readable,
  contentEncoding: string | null,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge: TrawlError | null = null;
  const collect = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) {
      size += chunk.length;
      if (size > maxBytes) {
        tooLarge = new TrawlError("EBODYTOOLARGE", `body is larger than ${maxBytes} bytes after decoding`);
        throw tooLarge;
      }
      chunks.push(chunk);
    }
  };
  const decoders = decodersFor(contentEncoding);
  if (decoders.length === 0) {
    // The common case needs no pipeline, only the abort wiring it would have done.
    const onAbort = () => body.destroy(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      await collect(body);
    } finally {
      signal.removeEventListener("abort", onAbort);
      if (tooLarge) body.destroy();
    }
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
  }
  // pipeline() destroys every stage on failure, so a cut-off or abort leaves no zlib stream behind.
  const stages: unknown[] = [body, ...decoders, collect];
  try {
    await (pipeline as (...args: unknown[]) => Promise<void>)(...stages, { signal });
  } catch (error) {
    // Tearing the pipeline down makes undici report its own abort; the cause was the size cap.
    throw tooLarge ?? error;
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}
