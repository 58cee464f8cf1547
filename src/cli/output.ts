import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import { once } from "node:events";

// Records that finish within one turn of the event loop leave in one write; a batch never grows past this.
const BATCH_BYTES = 64 * 1024;
// Text is encoded into chunks of this size as it comes; a text that may not fit one gets its own buffer.
const CHUNK_BYTES = 256 * 1024;
// The most bytes UTF-8 takes for one UTF-16 code unit: room for a text is checked as 3 × its length.
const MAX_BYTES_PER_UNIT = 3;

/**
 * Where records go: stdout or a file. Text is batched per event-loop turn and written whole, and
 * `write` waits when the stream is full, so a slow reader slows the run instead of filling memory.
 *
 * Each text is encoded as it is written, into the free end of the current chunk; a batch is what was
 * encoded since the last write to the stream. Concatenating the texts and encoding the batch with
 * one `Buffer.from` cost several times more (V8 flattens the many-part string first: 20,000 records
 * of 4 KB with a non-Latin-1 title took 0.98 s so, 0.26 s encoded one by one, JSON.stringify included).
 */
export class Output {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  /** The batch's tail is `chunk[start, used)`; what lies before `start` is the stream's now. */
  private start = 0;
  private used = 0;
  /** The batch's earlier parts, in order: filled parts of earlier chunks, or texts encoded alone. */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private scheduled = false;
  /** Set while the stream is full: every writer waits on it, whoever's write filled the stream. */
  private full: Promise<void> | null = null;
  private failure: Error | null = null;

  private constructor(
    private readonly stream: Writable,
    private readonly ownsStream: boolean,
  ) {
    stream.on("error", (error: Error) => {
      this.failure ??= error;
    });
  }

  static stdout(): Output {
    return new Output(process.stdout, false);
  }

  /** Opens a file for writing (created or truncated); rejects when it cannot be opened. */
  static async file(path: string, append = false): Promise<Output> {
    const stream = createWriteStream(path, { flags: append ? "a" : "w" });
    await Promise.race([once(stream, "open"), once(stream, "error").then(([error]) => Promise.reject(error))]);
    return new Output(stream, true);
  }

  /**
   * Queues text. Returns a promise when the caller must wait for room (the stream is full, or this
   * write filled the batch), else undefined: most records cost no promise.
   */
  write(text: string): Promise<void> | undefined {
    // Once the stream has failed (stdout's reader went away), text is dropped; the run checks `failed`.
    if (this.failure) return undefined;
    this.append(text);
    if (this.full) return this.afterFull();
    if (this.batchBytes >= BATCH_BYTES) return this.flush();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushSoon);
    }
    return undefined;
  }

  private get batchBytes(): number {
    return this.partsBytes + this.used - this.start;
  }

  /** Encodes `text` at the end of the batch. */
  private append(text: string): void {
    const most = text.length * MAX_BYTES_PER_UNIT;
    if (most <= CHUNK_BYTES - this.used) {
      this.used += this.chunk.write(text, this.used);
      return;
    }
    this.sealTail();
    if (most <= CHUNK_BYTES) {
      // The old chunk stays alive as long as the stream or the batch holds a part of it.
      this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      this.start = 0;
      this.used = this.chunk.write(text, 0);
    } else {
      const encoded = Buffer.from(text);
      this.parts.push(encoded);
      this.partsBytes += encoded.length;
    }
  }

  /** Moves the chunk's part of the batch to `parts`. */
  private sealTail(): void {
    if (this.used > this.start) {
      this.parts.push(this.chunk.subarray(this.start, this.used));
      this.partsBytes += this.used - this.start;
    }
    this.start = this.used;
  }

  private readonly flushSoon = (): void => {
    this.scheduled = false;
    void this.flush().catch(() => undefined);
  };

  private async afterFull(): Promise<void> {
    await this.full;
    if (this.batchBytes >= BATCH_BYTES) await this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushSoon);
    }
  }

  /** Writes what is batched; waits for `drain` when the stream says it is full. */
  async flush(): Promise<void> {
    this.sealTail();
    if (this.parts.length === 0) return;
    const batch = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.partsBytes);
    this.parts = [];
    this.partsBytes = 0;
    if (!this.stream.write(batch)) {
      this.full ??= this.drained().finally(() => {
        this.full = null;
      });
      await this.full;
    }
  }

  /** Resolves on `drain`, or when the stream fails or closes (a reader gone away must not hang us). */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off("drain", done).off("error", done).off("close", done);
        resolve();
      };
      this.stream.on("drain", done).on("error", done).on("close", done);
    });
  }

  /** True once the stream has failed (for stdout: EPIPE, the reader went away). */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** Flushes and, for a file, closes it. */
  async close(): Promise<void> {
    await this.flush();
    if (this.failure) throw this.failure;
    if (this.ownsStream) {
      await new Promise<void>((resolve, reject) => this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
    }
  }
}
