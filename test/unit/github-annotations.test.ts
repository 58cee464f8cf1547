/** Issue 12 #8: the runner keeps 50 annotations per step, the "more" line included. */
import { describe, expect, it } from "vitest";
import { Annotations, MAX_ANNOTATIONS } from "../../src/cli/github.js";
import type { TrawlRecord } from "../../src/record.js";
import { failedRecord } from "../helpers/records.js";

const failed = (i: number): TrawlRecord => failedRecord(`https://example.test/${i}`);

function linesFor(count: number): string[] {
  const annotations = new Annotations();
  for (let i = 0; i < count; i++) annotations.add(failed(i));
  return annotations.text().split("\n").filter(Boolean);
}

describe("Annotations", () => {
  it("annotates every failure up to the cap, with no count line", () => {
    expect(linesFor(MAX_ANNOTATIONS)).toHaveLength(MAX_ANNOTATIONS);
    expect(linesFor(MAX_ANNOTATIONS).join("\n")).not.toMatch(/more failed/);
  });

  it("past the cap, counts the rest in the 50th line", () => {
    const lines = linesFor(MAX_ANNOTATIONS + 1);
    expect(lines).toHaveLength(MAX_ANNOTATIONS);
    expect(lines.at(-1)).toMatch(/^::error title=trawl::2 more failed URLs/);
    expect(lines.slice(0, -1).every((line) => line.includes("example.test/"))).toBe(true);
  });
});
