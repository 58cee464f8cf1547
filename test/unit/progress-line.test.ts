/** The spinner's line (cli/progress.ts): what it counts while a run goes on. */
import { describe, expect, it } from "vitest";
import { progressText } from "../../src/cli/progress.js";
import { RunStats } from "../../src/stats.js";
import type { TrawlRecord } from "../../src/record.js";
import { failedRecord, okRecord } from "../helpers/records.js";

const record = (url: string, ok: boolean): TrawlRecord => (ok ? okRecord(url) : failedRecord(url));

describe("progressText", () => {
  it("says done of the URLs read so far, with a + while the input is still being read", () => {
    const stats = new RunStats();
    stats.add(record("http://a.test/1", true));
    stats.add(record("http://a.test/2", false));
    expect(progressText(stats, { inFlight: 3, read: 10, inputDone: false, held: 0 })).toMatch(
      /^2\/10\+ done, 1 ok, 1 failed, [\d.]+ URLs\/s, 3 in flight/,
    );
    expect(progressText(stats, { inFlight: 0, read: 10, inputDone: true, held: 0 })).toMatch(/^2\/10 done, /);
  });

  it("says only what is done when the total is not known here (a shared crawl)", () => {
    const stats = new RunStats();
    stats.add(record("http://a.test/", true));
    expect(progressText(stats, { inFlight: 4, read: null, inputDone: false, held: 0 })).toMatch(/^1 done, 1 ok, 0 failed, /);
  });

  it("counts failures that link checks hold until the end as done and failed already", () => {
    const stats = new RunStats();
    stats.add(record("http://a.test/", true));
    expect(progressText(stats, { inFlight: 1, read: 5, inputDone: false, held: 3 })).toMatch(
      /^4\/5\+ done, 1 ok, 3 failed, [\d.]+ URLs\/s, 1 in flight/,
    );
  });
});
