import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ResponseCache, type ResponseToStore } from "../../src/cache/index.js";
import type { TrawlRecord } from "../../src/record.js";
import { okRecord } from "../helpers/records.js";
import { usageErrorOf } from "../helpers/usage-error.js";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function newFolder(): string {
  const folder = mkdtempSync(path.join(tmpdir(), "trawl-cache-file-"));
  folders.push(folder);
  return folder;
}

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2025, 0, 1);
const urlOf = (i: number) => `https://example.com/page/${i}`;

const recordFor = (url: string, title: string): TrawlRecord => okRecord(url, { bytes: 100, title });

function response(i: number, title = `page ${i}`): ResponseToStore {
  return { status: 200, headers: { etag: `"e${i}"` }, record: recordFor(urlOf(i), title), links: [urlOf(i + 1)], fingerprint: "fp" };
}

/** The record a 304 brings back for page i, or null when the cache has none. */
function hitTitle(cache: ResponseCache, i: number): string | null {
  return cache.revalidated(urlOf(i), "fp", { etag: `"e${i}"` })?.record.title ?? null;
}

function run<T>(file: string, now: number, body: (cache: ResponseCache) => T, maxAgeMs?: number): T {
  const { cache, warning } = ResponseCache.open(file, maxAgeMs === undefined ? { now } : { now, maxAgeMs });
  expect(warning).toBeNull();
  try {
    return body(cache);
  } finally {
    expect(cache.close()).toBeNull();
  }
}

describe("cache file: crashes", () => {
  beforeAll(() => {
    if (!existsSync("dist/cache/index.js")) throw new Error("run `npm run build` first: the kill -9 test runs the built module");
  });

  it("drops a torn last entry at every byte it can be cut at, and keeps the entries before it", () => {
    const folder = newFolder();
    const file = path.join(folder, "cache.bin");
    run(file, T0, (cache) => {
      cache.store(urlOf(1), response(1));
      cache.store(urlOf(2), response(2));
    });
    const before = statSync(file).size;
    // The last entry is larger than the one appended after each cut, so bytes of a torn tail left
    // in place would follow the new entry and spoil the file.
    const links = Array.from({ length: 10 }, (_, i) => urlOf(100 + i));
    run(file, T0, (cache) => cache.store(urlOf(3), { ...response(3), links }));
    const whole = readFileSync(file);
    expect(whole.length).toBeGreaterThan(before + 32);
    const cut = path.join(folder, "cut.bin");
    for (let length = before; length < whole.length; length++) {
      writeFileSync(cut, whole.subarray(0, length));
      run(cut, T0, (cache) => {
        expect(cache.size).toBe(2);
        expect(hitTitle(cache, 1)).toBe("page 1");
        expect(hitTitle(cache, 2)).toBe("page 2");
        expect(cache.revalidation(urlOf(3), "fp")).toBeNull();
        // The torn bytes are cut off before anything is appended after them.
        cache.store(urlOf(4), { ...response(4), links: null });
      });
      expect(statSync(cut).size).toBeLessThan(whole.length);
      run(cut, T0, (cache) => {
        expect(cache.size).toBe(3);
        expect(hitTitle(cache, 4)).toBe("page 4");
      });
    }
  }, 30_000);

  it("after kill -9 in the middle of appending, every entry stored before is there, and nothing wrong", async () => {
    const file = path.join(newFolder(), "cache.bin");
    const moduleUrl = pathToFileURL(path.resolve("dist/cache/index.js")).href;
    // Every fourth record is 2 MB, so a kill often lands inside a write and leaves a torn tail. Each
    // child goes on from the entries the file holds, taking over the lock of the one killed before.
    const child = `
      const { ResponseCache } = await import(${JSON.stringify(moduleUrl)});
      const { cache } = ResponseCache.open(${JSON.stringify(file)});
      for (let i = cache.size; ; i++) {
        const url = "https://example.com/page/" + i;
        const filler = "x".repeat(i % 4 === 3 ? 2_000_000 : 2000);
        cache.store(url, { status: 200, headers: { etag: '"e' + i + '"' }, fingerprint: "fp", links: [],
          record: { url, finalUrl: url, status: 200, ok: true, attempts: 1, ms: 1, bytes: 1, contentType: null,
                    title: "page " + i, data: { filler }, error: null } });
        process.stdout.write(i + "\\n");
      }`;
    let reported = -1;
    for (let round = 0; round < 4; round++) {
      const running = spawn(process.execPath, ["--input-type=module", "-e", child], { stdio: ["ignore", "pipe", "inherit"] });
      await new Promise<void>((resolve) => {
        let buffered = "";
        running.stdout.on("data", (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split("\n");
          buffered = lines.pop() ?? "";
          if (lines.length > 0) reported = Math.max(reported, Number(lines[lines.length - 1]));
        });
        running.stdout.once("data", () => setTimeout(() => running.kill("SIGKILL"), 150 + Math.random() * 200));
        running.on("exit", () => resolve());
      });
      expect(running.signalCode).toBe("SIGKILL");
    }
    expect(reported).toBeGreaterThan(10);
    const { cache, warning } = ResponseCache.open(file);
    expect(warning).toBeNull();
    try {
      expect(cache.size).toBeGreaterThanOrEqual(reported + 1);
      for (let i = 0; i < cache.size; i++) expect(hitTitle(cache, i)).toBe(`page ${i}`);
    } finally {
      cache.close();
    }
  }, 30_000);
});

describe("cache file: compaction", () => {
  it("drops expired and superseded entries (keeping touched ones) and the file shrinks", () => {
    const file = path.join(newFolder(), "cache.bin");
    run(file, T0, (cache) => {
      for (let i = 0; i < 100; i++) cache.store(urlOf(i), response(i));
    });
    // Ten days on: 80 pages changed, 5 of the others only touched (a resumed run skipped them).
    run(file, T0 + 10 * DAY, (cache) => {
      for (let i = 0; i < 80; i++) cache.store(urlOf(i), response(i, `page ${i} v2`));
      for (let i = 80; i < 85; i++) cache.touch(urlOf(i));
    });
    const grown = statSync(file).size;
    // 35 days after the first run: the 15 not seen since expire, and garbage outweighs the live 85.
    run(file, T0 + 35 * DAY, (cache) => {
      expect(cache.size).toBe(85);
      expect(statSync(file).size).toBeLessThan(grown * 0.6);
    });
    // The rewrite kept when each entry was last seen: 28 days after the touches (38 after the
    // pages were stored) the touched pages are still there. The hits mark all 85 seen again, and
    // 31 days after that nothing is left.
    run(file, T0 + 38 * DAY, (cache) => {
      expect(cache.size).toBe(85);
      for (let i = 0; i < 80; i++) expect(hitTitle(cache, i)).toBe(`page ${i} v2`);
      for (let i = 80; i < 85; i++) expect(hitTitle(cache, i)).toBe(`page ${i}`);
      for (let i = 85; i < 100; i++) expect(cache.revalidation(urlOf(i), "fp")).toBeNull();
    });
    run(file, T0 + 69 * DAY, (cache) => expect(cache.size).toBe(0));
    expect(readdirSync(path.dirname(file))).toEqual(["cache.bin"]);
  });

  it("compacts at close when a run superseded more than it kept", () => {
    const file = path.join(newFolder(), "cache.bin");
    run(file, T0, (cache) => {
      for (let i = 0; i < 50; i++) cache.store(urlOf(i), response(i));
    });
    const once = statSync(file).size;
    run(file, T0 + DAY, (cache) => {
      for (let round = 1; round <= 3; round++) {
        for (let i = 0; i < 50; i++) cache.store(urlOf(i), response(i, `page ${i} r${round}`));
      }
      expect(statSync(file).size).toBeGreaterThan(once * 3);
    });
    expect(statSync(file).size).toBe(once + 50 * " r3".length);
    run(file, T0 + DAY, (cache) => expect(hitTitle(cache, 7)).toBe("page 7 r3"));
  });
});

describe("cache file: what is not a healthy cache", () => {
  it("a file that is not a cache is refused (naming the option) and left untouched", () => {
    const file = path.join(newFolder(), "README.md");
    const text = "# My project\n\nImportant notes.\n";
    writeFileSync(file, text);
    const error = usageErrorOf(() => ResponseCache.open(file));
    expect(error.option).toBe("cache");
    expect(error.message).toContain("not a trawl cache");
    expect(readFileSync(file, "utf8")).toBe(text);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it("a path in a missing folder, or a folder, is a usage error naming the option", () => {
    const folder = newFolder();
    for (const file of [path.join(folder, "missing", "cache.bin"), folder]) {
      const error = usageErrorOf(() => ResponseCache.open(file));
      expect(error.option).toBe("cache");
      expect(error.message).toContain(file);
    }
    expect(readdirSync(folder)).toEqual([]);
    expect(existsSync(`${folder}.lock`)).toBe(false);
  });

  it("a cache from another format version gives a warning and a fresh cache", () => {
    const file = path.join(newFolder(), "cache.bin");
    run(file, T0, (cache) => cache.store(urlOf(1), response(1)));
    const bytes = readFileSync(file);
    bytes.writeUInt32LE(99, 12);
    writeFileSync(file, bytes);
    const { cache, warning } = ResponseCache.open(file, { now: T0 });
    expect(warning).toMatch(/another version of trawl \(format 99/);
    expect(cache.size).toBe(0);
    cache.store(urlOf(2), response(2));
    cache.close();
    run(file, T0, (reopened) => expect(hitTitle(reopened, 2)).toBe("page 2"));
  });

  it("an empty file, or one cut while its header was written, is a fresh cache without a warning", () => {
    const folder = newFolder();
    for (const [name, content] of [
      ["empty", ""],
      ["torn-header", "trawl-ca"],
      ["torn-version", "trawl-cache\n\u0001"],
    ]) {
      const file = path.join(folder, name!);
      writeFileSync(file, content!, "latin1");
      run(file, T0, (cache) => {
        expect(cache.size).toBe(0);
        cache.store(urlOf(1), response(1));
      });
      run(file, T0, (cache) => expect(hitTitle(cache, 1)).toBe("page 1"));
    }
  });

  it("a damaged frame header: a warning, the entries before it kept, the rest dropped", () => {
    const folder = newFolder();
    const file = path.join(folder, "cache.bin");
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) {
      run(file, T0, (cache) => cache.store(urlOf(i), response(i)));
      sizes.push(statSync(file).size);
    }
    const bytes = readFileSync(file);
    const third = sizes[1]!;
    bytes.writeUInt8(bytes.readUInt8(third + 9) ^ 0xff, third + 9); // inside the third entry's header
    writeFileSync(file, bytes);
    const { cache, warning } = ResponseCache.open(file, { now: T0 });
    expect(warning).toMatch(new RegExp(`damaged at byte ${third}.*the 2 entries before kept`));
    expect(cache.size).toBe(2);
    expect(hitTitle(cache, 0)).toBe("page 0");
    expect(hitTitle(cache, 1)).toBe("page 1");
    expect(cache.revalidation(urlOf(2), "fp")).toBeNull();
    cache.close();
    run(file, T0, (reopened) => expect(reopened.size).toBe(2));
  });

  it("a damaged payload reads as a miss for that entry only, never as a wrong record", () => {
    const file = path.join(newFolder(), "cache.bin");
    run(file, T0, (cache) => cache.store(urlOf(0), response(0)));
    const first = statSync(file).size;
    run(file, T0, (cache) => cache.store(urlOf(1), response(1)));
    const bytes = readFileSync(file);
    const title = bytes.indexOf("page 0", 16);
    expect(title).toBeGreaterThan(0);
    expect(title).toBeLessThan(first);
    bytes.write("page 9", title); // same length, different record: only the checksum can tell
    writeFileSync(file, bytes);
    run(file, T0, (cache) => {
      expect(cache.revalidation(urlOf(0), "fp")).toBeNull();
      expect(cache.revalidated(urlOf(0), "fp", { etag: '"e0"' })).toBeNull();
      expect(hitTitle(cache, 1)).toBe("page 1");
    });
  });
});

describe("cache file: one process at a time", () => {
  it("a second opener is refused while the first holds the file, and welcome after", () => {
    const file = path.join(newFolder(), "cache.bin");
    const first = ResponseCache.open(file).cache;
    const error = usageErrorOf(() => ResponseCache.open(file));
    expect(error.option).toBe("cache");
    expect(error.message).toContain("in use by another trawl process");
    first.close();
    ResponseCache.open(file).cache.close();
  });

  it("a lock left by a live process elsewhere is respected, a dead, foreign-host or stale one taken over", () => {
    const folder = newFolder();
    const file = path.join(folder, "cache.bin");
    const lock = `${file}.lock`;
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid as number;
    const livePid = process.ppid;
    writeFileSync(lock, JSON.stringify({ pid: livePid, host: hostname() }));
    expect(usageErrorOf(() => ResponseCache.open(file)).option).toBe("cache");
    const old = new Date(Date.now() - 5 * 60 * 1000);
    utimesSync(lock, old, old);
    ResponseCache.open(file).cache.close();
    for (const owner of [
      { pid: deadPid, host: hostname() },
      { pid: livePid, host: `not-${hostname()}` },
    ]) {
      writeFileSync(lock, JSON.stringify(owner));
      ResponseCache.open(file).cache.close();
      expect(existsSync(lock)).toBe(false);
    }
  });
});
