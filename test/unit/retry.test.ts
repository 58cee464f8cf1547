import { describe, expect, it } from "vitest";
import type { ErrorCode } from "../../src/errors.js";
import { backoffDelay, isRetryable, nextDelay, parseRetryAfter, waitUnlessAborted } from "../../src/http/retry.js";

describe("isRetryable", () => {
  it.each([408, 425, 429, 500, 502, 503, 504])("retries HTTP %d", (status) => {
    expect(isRetryable({ code: "EHTTP", status })).toBe(true);
    expect(isRetryable({ code: null, status })).toBe(true);
  });

  it.each([200, 301, 400, 401, 403, 404, 410, 501, 505])("does not retry HTTP %d", (status) => {
    expect(isRetryable({ code: "EHTTP", status })).toBe(false);
    expect(isRetryable({ code: null, status })).toBe(false);
  });

  it.each(["ETIMEOUT", "ECONNRESET", "ECONNREFUSED", "ENOTFOUND"] as ErrorCode[])("retries %s", (code) => {
    expect(isRetryable({ code, status: null })).toBe(true);
  });

  it.each(["ETLS", "EPROTOCOL", "EBODYTOOLARGE", "ETOOMANYREDIRECTS", "EINVALIDURL", "EROBOTS", "EABORTED"] as ErrorCode[])(
    "does not retry %s",
    (code) => {
      expect(isRetryable({ code, status: null })).toBe(false);
    },
  );

  it("judges a network code even when a status came with it", () => {
    // A body cut short after a 200 header is a network failure worth retrying; a 503 with a too-large body is not.
    expect(isRetryable({ code: "ECONNRESET", status: 200 })).toBe(true);
    expect(isRetryable({ code: "EBODYTOOLARGE", status: 503 })).toBe(false);
  });

  it("does not retry when there is neither code nor status", () => {
    expect(isRetryable({ code: null, status: null })).toBe(false);
  });
});

describe("backoffDelay", () => {
  const almostOne = () => 0.999_999_9;

  it("waits 0 when the random draw is 0", () => {
    for (let retry = 1; retry <= 10; retry++) expect(backoffDelay(retry, 500, () => 0)).toBe(0);
  });

  it("doubles the ceiling each retry (full jitter upper bound base × 2^(n-1))", () => {
    expect(backoffDelay(1, 500, almostOne)).toBe(500);
    expect(backoffDelay(2, 500, almostOne)).toBe(1000);
    expect(backoffDelay(3, 500, almostOne)).toBe(2000);
    expect(backoffDelay(4, 500, almostOne)).toBe(4000);
    expect(backoffDelay(3, 100, () => 0.5)).toBe(200);
  });

  it("caps the ceiling at 30 s", () => {
    expect(backoffDelay(7, 500, almostOne)).toBe(30_000);
    expect(backoffDelay(30, 500, almostOne)).toBe(30_000);
    expect(backoffDelay(2, 60_000, almostOne)).toBe(30_000);
  });

  it("stays within [0, ceiling] with the real random source and spreads out", () => {
    const values = Array.from({ length: 500 }, () => backoffDelay(3, 500));
    for (const value of values) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(2000);
    }
    expect(new Set(values).size).toBeGreaterThan(50);
    expect(Math.max(...values)).toBeGreaterThan(1500);
    expect(Math.min(...values)).toBeLessThan(500);
  });

  it("is 0 with a zero base", () => {
    expect(backoffDelay(3, 0, almostOne)).toBe(0);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2024-05-01T12:00:00Z");

  it("reads delay-seconds", () => {
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter("5", now)).toBe(5000);
    expect(parseRetryAfter(" 120 ", now)).toBe(120_000);
  });

  it("reads an HTTP-date relative to now", () => {
    expect(parseRetryAfter("Wed, 01 May 2024 12:00:07 GMT", now)).toBe(7000);
    expect(parseRetryAfter("Wed, 01 May 2024 12:02:00 GMT", now)).toBe(120_000);
  });

  it("treats a date in the past as no wait", () => {
    expect(parseRetryAfter("Wed, 01 May 2024 11:00:00 GMT", now)).toBe(0);
  });

  it("returns null for absent or unreadable values", () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter("", now)).toBeNull();
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter("2 minutes", now)).toBeNull();
  });

  // V8's lenient Date.parse reads "-5" as the year -5 and "1.5" as 5 January 2001; neither is
  // delay-seconds nor an HTTP-date (RFC 9110 §10.2.3), so neither may become a 0 ms wait.
  it("returns null for values that are neither delay-seconds nor an HTTP-date", () => {
    expect(parseRetryAfter("-5", now)).toBeNull();
    expect(parseRetryAfter("1.5", now)).toBeNull();
    expect(parseRetryAfter("10.5", now)).toBeNull();
    expect(parseRetryAfter("3600 seconds", now)).toBeNull();
  });
});

describe("nextDelay", () => {
  it("uses Retry-After when it is at most 60 s", () => {
    expect(nextDelay(1, 500, 2000)).toBe(2000);
    expect(nextDelay(1, 500, 60_000)).toBe(60_000);
    expect(nextDelay(1, 500, 0)).toBe(0);
  });

  it("ends the retries (null) when Retry-After is beyond 60 s", () => {
    expect(nextDelay(1, 500, 60_001)).toBeNull();
    expect(nextDelay(1, 500, 3_600_000)).toBeNull();
  });

  it("falls back to jittered backoff without Retry-After", () => {
    for (let i = 0; i < 50; i++) {
      const delay = nextDelay(2, 500, null);
      expect(delay).not.toBeNull();
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(1000);
    }
  });
});

describe("waitUnlessAborted", () => {
  it("sleeps the given time and returns true", async () => {
    const started = performance.now();
    expect(await waitUnlessAborted(50, new AbortController().signal)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it("returns false at once when already aborted", async () => {
    const started = performance.now();
    expect(await waitUnlessAborted(10_000, AbortSignal.abort())).toBe(false);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it("wakes promptly with false when aborted mid-sleep", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = performance.now();
    expect(await waitUnlessAborted(10_000, controller.signal)).toBe(false);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(20);
    expect(elapsed).toBeLessThan(1000);
  });
});
