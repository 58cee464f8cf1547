import { Transform, type TransformCallback } from "node:stream";
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
    // Backpressure passes through: when the next stage is full, the inflater waits (see _read),
    // so a deflate bomb stacked under another coding does not pile up here.
    inflater.on("data", (data: Buffer) => {
      if (!this.push(data)) inflater.pause();
    });
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
        callback();
        return;
      }
      this.held = null;
    }
    (this.inflater ?? this.start(data)).write(data, callback);
  }

  override _read(size: number): void {
    this.inflater?.resume();
    super._read(size);
  }

  override _flush(callback: TransformCallback): void {
    const inflater = this.inflater ?? (this.held ? this.start(this.held) : null);
    if (!inflater) {
      callback();
      return;
    }
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

/** What a body sink reports, once: the whole decoded body, or why there is none. */
export interface BodyEvents {
  /** The whole body, decoded. */
  done(body: Buffer): void;
  /** Over `maxBytes` after decoding (`EBODYTOOLARGE`), or undecodable. */
  fail(error: unknown): void;
}

/**
 * Takes a response body a chunk at a time, as the connection delivers it. It never asks the
 * connection to pause: undici 7 cannot finish a paused response whose server closes the connection
 * (an assertion that kills the process, nodejs/undici#5360), so the decoders' input is bounded by
 * size instead (see `queuedLimit`).
 */
export interface BodySink {
  /** True when the body goes through decoders (its encoded size is not its size). */
  readonly decodes: boolean;
  /** Takes one received chunk. */
  write(chunk: Buffer): void;
  /** The last chunk has been received. */
  end(): void;
  /** The exchange failed or was cut: stop decoding; no event follows. */
  destroy(): void;
}

function tooLarge(maxBytes: number): TrawlError {
  return new TrawlError("EBODYTOOLARGE", `body is larger than ${maxBytes} bytes after decoding`);
}

function joined(chunks: Buffer[], size: number): Buffer {
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}

/** An unencoded body: the chunks as they come, and the size cap. */
class PlainBody implements BodySink {
  readonly decodes = false;
  private chunks: Buffer[] = [];
  private size = 0;
  private finished = false;

  constructor(
    private readonly maxBytes: number,
    private readonly events: BodyEvents,
  ) {}

  write(chunk: Buffer): void {
    if (this.finished) return;
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      this.destroy();
      this.events.fail(tooLarge(this.maxBytes));
    } else {
      this.chunks.push(chunk);
    }
  }

  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.events.done(joined(this.chunks, this.size));
    this.chunks = [];
  }

  destroy(): void {
    this.finished = true;
    this.chunks = [];
  }
}

/**
 * The most received bytes that may wait in a body's decoders. They are never paused (see
 * `BodySink`), so this is what bounds their memory when the network outruns them: a flood of
 * padding (empty blocks that decode to nothing) is cut here. It is not a limit on the encoded size:
 * a legitimate body can be larger encoded than decoded (a stored block per flush adds 5 bytes,
 * each gzip member 18), and zlib decodes far faster than it queues, so a body within `--max-bytes`
 * never comes near twice that waiting.
 */
export function queuedLimit(maxBytes: number): number {
  return 2 * maxBytes + 1024 * 1024;
}

/**
 * The most encoded bytes a body may take in all. Real encoders stay close to the decoded size (a
 * flush every 64 bytes costs 15%); four times it is only reached by padding, which otherwise costs
 * decoding time until the attempt's timeout.
 */
export function encodedLimit(maxBytes: number): number {
  return 4 * maxBytes + 1024 * 1024;
}

/**
 * A compressed body, through its decoders (outermost first). The cap applies to what comes out:
 * a compression bomb is cut as soon as the decoded size passes `maxBytes`, so it costs one record
 * and never more than `maxBytes` of memory. What waits to go in is capped too (`queuedLimit`), and
 * what goes in at all (`encodedLimit`).
 */
class DecodedBody implements BodySink {
  readonly decodes = true;
  private chunks: Buffer[] = [];
  private size = 0;
  private encodedSize = 0;
  private finished = false;
  private readonly head: Transform;

  constructor(
    private readonly decoders: Transform[],
    private readonly maxBytes: number,
    private readonly events: BodyEvents,
  ) {
    const head = decoders[0] as Transform;
    const tail = decoders[decoders.length - 1] as Transform;
    for (let i = 0; i + 1 < decoders.length; i++) (decoders[i] as Transform).pipe(decoders[i + 1] as Transform);
    for (const decoder of decoders) decoder.on("error", (error) => this.fail(error));
    tail.on("data", (chunk: Buffer) => {
      if (this.finished) return;
      this.size += chunk.length;
      if (this.size > this.maxBytes) this.fail(tooLarge(this.maxBytes));
      else this.chunks.push(chunk);
    });
    tail.on("end", () => {
      if (this.finished) return;
      this.finished = true;
      this.events.done(joined(this.chunks, this.size));
      this.chunks = [];
    });
    this.head = head;
  }

  write(chunk: Buffer): void {
    if (this.finished) return;
    this.encodedSize += chunk.length;
    if (this.encodedSize > encodedLimit(this.maxBytes)) {
      this.fail(tooLarge(this.maxBytes));
      return;
    }
    this.head.write(chunk);
    if (this.head.writableLength > queuedLimit(this.maxBytes)) this.fail(tooLarge(this.maxBytes));
  }

  end(): void {
    if (!this.finished) this.head.end();
  }

  destroy(): void {
    this.finished = true;
    this.chunks = [];
    for (const decoder of this.decoders) decoder.destroy();
  }

  private fail(error: unknown): void {
    if (this.finished) return;
    this.destroy();
    this.events.fail(error);
  }
}

/**
 * A sink for one response body with this `Content-Encoding`: decoded (gzip, deflate, br, stacked),
 * collected whole, and failed with `EBODYTOOLARGE` once the decoded size passes `maxBytes`.
 */
export function createBodySink(contentEncoding: string | null, maxBytes: number, events: BodyEvents): BodySink {
  const decoders = decodersFor(contentEncoding);
  return decoders.length === 0 ? new PlainBody(maxBytes, events) : new DecodedBody(decoders, maxBytes, events);
}
