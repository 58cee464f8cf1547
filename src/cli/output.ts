import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import { once } from "node:events";

// Records that finish within one turn of the event loop leave in one write; a batch never grows past this.
const BATCH_BYTES = 64 * 1024;

/**
 * Where records go: stdout or a file. Text is batched per event-loop turn and written whole, and
 * `write` waits when the stream is full, so a slow reader slows the run instead of filling memory.
 */
export class Output {
  private batch = "";
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
    this.batch += text;
    if (this.full) return this.afterFull();
    if (this.batch.length >= BATCH_BYTES) return this.flush();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushSoon);
    }
    return undefined;
  }

  private readonly flushSoon = (): void => {
    this.scheduled = false;
    void this.flush().catch(() => undefined);
  };

  private async afterFull(): Promise<void> {
    await this.full;
    if (this.batch.length >= BATCH_BYTES) await this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushSoon);
    }
  }

  /** Writes what is batched; waits for `drain` when the stream says it is full. */
  async flush(): Promise<void> {
    if (this.batch === "") return;
    const text = this.batch;
    this.batch = "";
    if (!this.stream.write(text)) {
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
