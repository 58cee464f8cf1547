/**
 * The output's batches (cli/output.ts): texts are encoded into chunks as they come; whatever their sizes
 * and characters, the file holds exactly their concatenation, in order, with nothing torn or doubled.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Output } from "../../src/cli/output.js";
import { mulberry32 } from "../helpers/random.js";

const dir = mkdtempSync(join(tmpdir(), "trawl-output-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PIECES = ["a", "é", "—", "😀", "\ud800", "line\n", '{"k":"v"}'];

/** A text of about `units` UTF-16 units from the pieces above (1 to 4 UTF-8 bytes each, a lone surrogate too). */
function text(random: () => number, units: number): string {
  let out = "";
  while (out.length < units) out += PIECES[Math.floor(random() * PIECES.length)];
  return out;
}

async function roundTrip(name: string, texts: string[], awaitEach: boolean): Promise<string> {
  const file = join(dir, name);
  const output = await Output.file(file);
  for (const [i, piece] of texts.entries()) {
    const wait = output.write(piece);
    if (awaitEach || i % 7 === 0) await wait;
  }
  await output.close();
  return readFileSync(file, "utf8");
}

describe("Output", () => {
  for (const seed of [1, 2, 3]) {
    it(`writes exactly the texts in order across chunk ends and texts larger than a chunk (seed ${seed})`, async () => {
      const random = mulberry32(seed);
      // Mostly record-sized texts, some bigger than a 256 KB chunk (up to 3 bytes a unit), some empty.
      const texts = Array.from({ length: 400 }, () => {
        const roll = random();
        if (roll < 0.05) return "";
        if (roll < 0.1) return text(random, 90_000 + Math.floor(random() * 60_000));
        return text(random, Math.floor(random() * 6_000));
      });
      const expected = texts.join("");
      expect(await roundTrip(`seed-${seed}-await.txt`, texts, true)).toBe(Buffer.from(expected).toString("utf8"));
      expect(await roundTrip(`seed-${seed}-burst.txt`, texts, false)).toBe(Buffer.from(expected).toString("utf8"));
    });
  }

  it("writes a text that fills the chunk's end exactly, then one more", async () => {
    const texts = ["x".repeat(256 * 1024 - 10), "é".repeat(3), "y".repeat(10), "z"];
    expect(await roundTrip("edge.txt", texts, false)).toBe(texts.join(""));
  });
});
