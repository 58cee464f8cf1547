/**
 * Politeness with a fleet: each attempt holds a fleet slot of its host, taken through the fleet's
 * `acquireHost` (Redis, in a run) and given back after the answer; unpaced, a slot given back is
 * kept a moment for the process's next request to that host. The fleet here is a counting stand-in
 * for the Redis one (which test/unit/shared-frontier.test.ts covers).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { FetchOutcome } from "../../src/http/fetch-with-retry.js";
import { createPoliteness, type FleetPoliteness } from "../../src/politeness/index.js";

interface CountingFleet extends FleetPoliteness {
  acquired: { host: string; maxConcurrent: number; intervalMs: number }[];
  released: number;
  robotsFetches: number;
}

function countingFleet(): CountingFleet {
  const fleet: CountingFleet = {
    acquired: [],
    released: 0,
    robotsFetches: 0,
    async acquireHost(host, { maxConcurrent, intervalMs }) {
      fleet.acquired.push({ host, maxConcurrent, intervalMs });
      return {
        release: async () => {
          fleet.released++;
        },
      };
    },
    async robots(url, fetchRobots) {
      fleet.robotsFetches++;
      return fetchRobots(url);
    },
  };
  return fleet;
}

const noDocument = async (): Promise<FetchOutcome> => {
  throw new Error("no document is fetched here");
};
const settings = { perHostConcurrency: 4, ratePerSecond: undefined, robots: false, userAgent: "t", maxBytes: 1000 };
const signal = new AbortController().signal;

describe("fleet politeness", () => {
  it("takes a fleet slot before an attempt, at the host's limit, and keeps it a moment after the answer for the next one", async () => {
    const fleet = countingFleet();
    const politeness = await createPoliteness(settings, noDocument, fleet);
    expect(await politeness.pace?.("http://a.test/1", signal)).toBe(true);
    expect(fleet.acquired).toEqual([{ host: "a.test", maxConcurrent: 4, intervalMs: 0 }]);
    politeness.observe("a.test", 200, 5);
    // The next request to the host reuses the slot: no second round trip.
    expect(await politeness.pace?.("http://a.test/2", signal)).toBe(true);
    expect(fleet.acquired).toHaveLength(1);
    // Another host needs its own.
    expect(await politeness.pace?.("http://b.test/1", signal)).toBe(true);
    expect(fleet.acquired).toHaveLength(2);
    politeness.observe("a.test", 200, 5);
    politeness.observe("b.test", 200, 5);
    expect(fleet.released).toBe(0);
    // Idle slots go back to the fleet soon.
    await sleep(150);
    expect(fleet.released).toBe(2);
    expect(await politeness.pace?.("http://a.test/3", signal)).toBe(true);
    expect(fleet.acquired).toHaveLength(3);
  });

  it("with a rate, every attempt books its start with the fleet and gives the slot back at once", async () => {
    const fleet = countingFleet();
    const politeness = await createPoliteness({ ...settings, ratePerSecond: 4 }, noDocument, fleet);
    for (const path of ["/1", "/2"]) {
      expect(await politeness.pace?.(`http://a.test${path}`, signal)).toBe(true);
      politeness.observe("a.test", 200, 5);
    }
    expect(fleet.acquired).toEqual([
      { host: "a.test", maxConcurrent: 4, intervalMs: 250 },
      { host: "a.test", maxConcurrent: 4, intervalMs: 250 },
    ]);
    expect(fleet.released).toBe(2);
  });

  it("after a 429 asks the fleet for the host's lowered limit, and lets a kept slot go rather than hold one too many", async () => {
    const fleet = countingFleet();
    const politeness = await createPoliteness(settings, noDocument, fleet);
    for (let i = 0; i < 4; i++) await politeness.pace?.(`http://a.test/${i}`, signal);
    politeness.observe("a.test", 429, 5);
    politeness.observe("a.test", 429, 5);
    const limit = politeness.limitOf("a.test");
    expect(limit).toBe(2);
    // Two requests still hold slots, two slots are kept: a third request may not reuse one.
    await politeness.pace?.("http://a.test/next", signal);
    expect(fleet.released).toBe(1);
    expect(fleet.acquired).toHaveLength(5);
    expect(fleet.acquired.at(-1)?.maxConcurrent).toBe(2);
  });

  it("a pace the run aborts takes no slot and gives none back", async () => {
    const fleet: CountingFleet = { ...countingFleet(), acquireHost: async () => null };
    const politeness = await createPoliteness(settings, noDocument, fleet);
    expect(await politeness.pace?.("http://a.test/1", AbortSignal.abort())).toBe(false);
    politeness.observe("a.test", null, 5);
    await sleep(80);
    expect(fleet.released).toBe(0);
  });

  it("fetches robots.txt through the fleet", async () => {
    const fleet = countingFleet();
    const robotsTxt: FetchOutcome = {
      finalUrl: "http://a.test/robots.txt",
      status: 200,
      contentType: "text/plain",
      body: Buffer.from("User-agent: *\nDisallow: /no\n"),
      error: null,
      retryAfterMs: null,
      responseHeaders: null,
      requestHeaders: null,
      attempts: 1,
    };
    const politeness = await createPoliteness({ ...settings, robots: true }, async () => robotsTxt, fleet);
    expect(await politeness.allows?.("http://a.test/no")).toBe(false);
    expect(await politeness.allows?.("http://a.test/yes")).toBe(true);
    expect(fleet.robotsFetches).toBe(1);
  });
});
