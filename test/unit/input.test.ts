import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { assertReadable, cleanLine, readInput } from "../../src/cli/input.js";
import { toArray } from "../helpers/iterables.js";

let dir: string;
const noStdin = () => Readable.from([]);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "trawl-unit-input-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("cleanLine", () => {
  it("trims, and skips blanks and comments", () => {
    expect(cleanLine("  https://a.test/  ")).toBe("https://a.test/");
    expect(cleanLine("\thttps://a.test/\r")).toBe("https://a.test/");
    expect(cleanLine("\uFEFFhttps://a.test/")).toBe("https://a.test/");
    expect(cleanLine("")).toBeNull();
    expect(cleanLine("   \t ")).toBeNull();
    expect(cleanLine("# comment")).toBeNull();
    expect(cleanLine("   # indented comment")).toBeNull();
    expect(cleanLine("https://a.test/#fragment")).toBe("https://a.test/#fragment");
  });
});

describe("readInput", () => {
  it("reads a file with a BOM, CRLF, blank and # lines, and padded lines", async () => {
    const path = join(dir, "list.txt");
    writeFileSync(
      path,
      "\uFEFFhttps://a.test/1\r\n# a comment\r\n\r\n   https://a.test/2   \r\n\t\r\n  # indented\r\nhttps://a.test/3\r\nhttps://a.test/4",
    );
    expect(await toArray(readInput([{ kind: "file", path }], noStdin()))).toEqual([
      "https://a.test/1",
      "https://a.test/2",
      "https://a.test/3",
      "https://a.test/4",
    ]);
  });

  it("splits on a lone CR too", async () => {
    const path = join(dir, "cr.txt");
    writeFileSync(path, "https://a.test/1\rhttps://a.test/2\r");
    expect(await toArray(readInput([{ kind: "file", path }], noStdin()))).toEqual(["https://a.test/1", "https://a.test/2"]);
  });

  it("reads an empty file as no lines", async () => {
    const path = join(dir, "empty.txt");
    writeFileSync(path, "");
    expect(await toArray(readInput([{ kind: "file", path }], noStdin()))).toEqual([]);
  });

  it("reads a list source with the same line rules", async () => {
    const source = { kind: "list" as const, urls: [" https://a.test/x ", "", "# no", "https://a.test/y"] };
    expect(await toArray(readInput([source], noStdin()))).toEqual(["https://a.test/x", "https://a.test/y"]);
  });

  it("reads the stdin source from the given stream, split across chunks", async () => {
    const stdin = Readable.from([Buffer.from("https://a.test/s"), Buffer.from("1\r\n# c\n  https://a.test/s2\n")]);
    expect(await toArray(readInput([{ kind: "stdin" }], stdin))).toEqual(["https://a.test/s1", "https://a.test/s2"]);
  });

  it("decodes UTF-8 split across chunks", async () => {
    const bytes = Buffer.from("https://a.test/ünï\n");
    const stdin = Readable.from([bytes.subarray(0, 17), bytes.subarray(17)]);
    expect(await toArray(readInput([{ kind: "stdin" }], stdin))).toEqual(["https://a.test/ünï"]);
  });

  it("reads the sources in the order given", async () => {
    const path = join(dir, "order.txt");
    writeFileSync(path, "https://a.test/file\n");
    const stdin = Readable.from(["https://a.test/stdin\n"]);
    const lines = await toArray(
      readInput([{ kind: "list", urls: ["https://a.test/arg"] }, { kind: "file", path }, { kind: "stdin" }], stdin),
    );
    expect(lines).toEqual(["https://a.test/arg", "https://a.test/file", "https://a.test/stdin"]);
  });

  it("yields nothing once the signal is aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const lines = await toArray(readInput([{ kind: "list", urls: ["https://a.test/"] }], noStdin(), controller.signal));
    expect(lines).toEqual([]);
  });

  it("stops reading stdin when the signal aborts mid-stream", async () => {
    const controller = new AbortController();
    const stdin = new Readable({ read() {} });
    stdin.push("https://a.test/1\n");
    const lines: string[] = [];
    const reading = (async () => {
      for await (const line of readInput([{ kind: "stdin" }], stdin, controller.signal)) lines.push(line);
    })();
    await sleep(20);
    controller.abort();
    await reading;
    expect(lines).toEqual(["https://a.test/1"]);
    expect(stdin.destroyed).toBe(true);
  });

  it("reads a large file lazily: ten lines of 200,000 come back quickly, the rest is read later", async () => {
    const path = join(dir, "big.txt");
    const lineCount = 200_000;
    const parts: string[] = [];
    for (let i = 0; i < lineCount; i++) parts.push(`https://host${i % 1000}.example.com/some/long/path/segment/${i}`);
    const text = parts.join("\n");
    writeFileSync(path, text);
    const started = performance.now();
    const iterator = readInput([{ kind: "file", path }], noStdin())[Symbol.asyncIterator]();
    const first: string[] = [];
    for (let i = 0; i < 10; i++) first.push((await iterator.next()).value as string);
    expect(first).toEqual(parts.slice(0, 10));
    expect(performance.now() - started).toBeLessThan(500);

    // Rewrite the last line in place, at the end of a ~10 MB file. A reader that had already
    // slurped the file would still yield the old line; a streaming reader sees the new one.
    const last = parts[lineCount - 1] as string;
    const replacement = last.replace("https://", "https:/X");
    const fd = openSync(path, "r+");
    writeSync(fd, replacement, Buffer.byteLength(text) - Buffer.byteLength(last));
    closeSync(fd);
    let tail: string | undefined;
    let count = 10;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      tail = next.value;
      count++;
    }
    expect(count).toBe(lineCount);
    expect(tail).toBe(replacement);
  });

  it("reads stdin lazily: a slow consumer does not make it pull the whole stream", async () => {
    let produced = 0;
    const total = 200_000;
    const stdin = Readable.from(
      (function* () {
        for (; produced < total; ) {
          // 100 lines per chunk.
          let chunk = "";
          for (let i = 0; i < 100; i++) chunk += `https://a.test/${produced++}\n`;
          yield chunk;
        }
      })(),
    );
    const iterator = readInput([{ kind: "stdin" }], stdin)[Symbol.asyncIterator]();
    for (let i = 0; i < 10; i++) expect((await iterator.next()).value).toBe(`https://a.test/${i}`);
    // Give the stream every chance to run ahead while the consumer holds still.
    await sleep(50);
    expect(produced).toBeLessThan(total / 10);
    await iterator.return?.(undefined);
    expect(stdin.destroyed).toBe(true);
  });
});

describe("assertReadable", () => {
  it("accepts readable files and ignores list and stdin sources", async () => {
    const path = join(dir, "ok.txt");
    writeFileSync(path, "https://a.test/\n");
    await expect(assertReadable([{ kind: "file", path }, { kind: "stdin" }, { kind: "list", urls: [] }])).resolves.toBeUndefined();
  });

  it("throws a UsageError naming a missing file", async () => {
    const path = join(dir, "does-not-exist.txt");
    const error = await assertReadable([{ kind: "file", path }]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain("ENOENT");
  });

  it("throws a UsageError for a directory", async () => {
    const path = join(dir, "a-directory");
    mkdirSync(path, { recursive: true });
    const error = await assertReadable([{ kind: "file", path }]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(path);
  });
});
