import { createReadStream } from "node:fs";
import { access, constants, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { UsageError } from "../errors.js";

/** Where URLs come from (SPEC §1), in the order they are read. */
export type InputSource = { kind: "list"; urls: readonly string[] } | { kind: "file"; path: string } | { kind: "stdin" };

/** Checks that a file given to `flag` can be read, so a typo is a usage error, not a half run. */
export async function assertReadableFile(path: string, flag: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
    if ((await stat(path)).isDirectory()) throw new Error("is a directory");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`${flag} ${path}: cannot read it (${reason})`);
  }
}

/** Checks up front that every input file can be read. */
export async function assertReadable(sources: readonly InputSource[]): Promise<void> {
  for (const source of sources) if (source.kind === "file") await assertReadableFile(source.path, "--input");
}

/** Input line rules: whitespace trimmed (a UTF-8 BOM too), blank lines and `#` comments skipped. */
export function cleanLine(line: string): string | null {
  const trimmed = line.trim();
  return trimmed === "" || trimmed.startsWith("#") ? null : trimmed;
}

/** Lines read so far, and whether the input has ended (for progress and the "no URLs" check). */
export interface InputCounter {
  lines: number;
  done: boolean;
}

/** Opens readline over a stream; `signal` closes it (and the stream) at once. */
function lineReader(stream: Readable, signal: AbortSignal | undefined): { lines: AsyncIterable<string>; close: () => void } {
  // readline splits on LF, CR LF and lone CR, and reads the stream chunk by chunk (never whole).
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  const stop = () => {
    lines.close();
    stream.destroy();
  };
  signal?.addEventListener("abort", stop, { once: true });
  return {
    lines,
    close: () => {
      signal?.removeEventListener("abort", stop);
      stop();
    },
  };
}

/**
 * Every URL line of every source, read lazily: a file of ten million lines is streamed, never held.
 * `stdin` is the stream behind `{ kind: "stdin" }`; `signal` stops reading at once; `counter`, when
 * given, counts the lines passed on. One generator for all sources: each generator a line passes
 * through costs a promise.
 */
export async function* readInput(
  sources: readonly InputSource[],
  stdin: Readable,
  signal?: AbortSignal,
  counter?: InputCounter,
): AsyncGenerator<string> {
  for (const source of sources) {
    if (signal?.aborted) return;
    if (source.kind === "list") {
      for (const line of source.urls) {
        const url = cleanLine(line);
        if (url === null) continue;
        if (counter) counter.lines++;
        yield url;
      }
      continue;
    }
    const stream = source.kind === "stdin" ? stdin : createReadStream(source.path, { highWaterMark: 256 * 1024 });
    const reader = lineReader(stream, signal);
    try {
      for await (const line of reader.lines) {
        if (signal?.aborted) return;
        const url = cleanLine(line);
        if (url === null) continue;
        if (counter) counter.lines++;
        yield url;
      }
    } finally {
      reader.close();
    }
  }
  if (counter) counter.done = true;
}
