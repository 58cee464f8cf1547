import { describe, expect, it } from "vitest";
import { ERROR_CODES, messageOf, TrawlError, toErrorCode, UsageError } from "../../src/errors.js";

const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });

describe("ERROR_CODES", () => {
  it("is exactly the SPEC's list (§4, and EFRAGMENT of §9)", () => {
    expect([...ERROR_CODES].sort()).toEqual(
      [
        "EINVALIDURL",
        "ETIMEOUT",
        "ECONNREFUSED",
        "ECONNRESET",
        "ENOTFOUND",
        "ETLS",
        "ETOOMANYREDIRECTS",
        "EBODYTOOLARGE",
        "EHTTP",
        "EROBOTS",
        "EABORTED",
        "EPROTOCOL",
        "EFRAGMENT",
      ].sort(),
    );
  });
});

describe("toErrorCode", () => {
  it.each([
    ["ECONNREFUSED", "ECONNREFUSED"],
    ["ENOTFOUND", "ENOTFOUND"],
    ["EAI_AGAIN", "ENOTFOUND"],
    ["ECONNRESET", "ECONNRESET"],
    ["EPIPE", "ECONNRESET"],
    ["UND_ERR_SOCKET", "ECONNRESET"],
    ["ETIMEDOUT", "ETIMEOUT"],
    ["UND_ERR_CONNECT_TIMEOUT", "ETIMEOUT"],
    ["UND_ERR_HEADERS_TIMEOUT", "ETIMEOUT"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "ETLS"],
    ["CERT_HAS_EXPIRED", "ETLS"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "ETLS"],
    ["ERR_SSL_WRONG_VERSION_NUMBER", "ETLS"],
    ["HPE_INVALID_CONSTANT", "EPROTOCOL"],
    ["UND_ERR_HEADERS_OVERFLOW", "EPROTOCOL"],
    ["Z_DATA_ERROR", "EPROTOCOL"],
    ["ABORT_ERR", "EABORTED"],
    ["EHOSTUNREACH", "ECONNREFUSED"],
  ])("maps %s to %s", (code, expected) => {
    expect(toErrorCode(withCode(code))).toBe(expected);
  });

  it("reads the code of a cause (undici's 'fetch failed' wraps the real error)", () => {
    const wrapped = new TypeError("fetch failed", { cause: withCode("ECONNREFUSED") });
    expect(toErrorCode(wrapped)).toBe("ECONNREFUSED");
  });

  it("reads the first error of an AggregateError (happy eyeballs)", () => {
    const aggregate = Object.assign(new AggregateError([withCode("ECONNREFUSED"), withCode("ECONNREFUSED")], "all failed"), {
      code: undefined,
    });
    expect(toErrorCode(aggregate)).toBe("ECONNREFUSED");
  });

  it("calls a clean close inside the body broken framing, but before the headers a dropped connection", () => {
    const closed = withCode("UND_ERR_SOCKET", "other side closed");
    expect(toErrorCode(closed, "headers")).toBe("ECONNRESET");
    expect(toErrorCode(closed)).toBe("ECONNRESET");
    expect(toErrorCode(closed, "body")).toBe("EPROTOCOL");
    const reset = Object.assign(withCode("UND_ERR_SOCKET"), { cause: withCode("ECONNRESET") });
    expect(toErrorCode(reset, "body")).toBe("ECONNRESET");
  });

  it("keeps a TrawlError's own code", () => {
    expect(toErrorCode(new TrawlError("EBODYTOOLARGE", "big"))).toBe("EBODYTOOLARGE");
  });

  it("falls back to EPROTOCOL for anything unknown", () => {
    expect(toErrorCode(new Error("weird"))).toBe("EPROTOCOL");
    expect(toErrorCode("a string")).toBe("EPROTOCOL");
    expect(toErrorCode(null)).toBe("EPROTOCOL");
  });
});

describe("messageOf and the error classes", () => {
  it("unwraps 'fetch failed' to the cause's message", () => {
    expect(messageOf(new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:1") }))).toBe(
      "connect ECONNREFUSED 127.0.0.1:1",
    );
    expect(messageOf(new Error("plain"))).toBe("plain");
    expect(messageOf("text")).toBe("text");
  });

  it("names its classes", () => {
    const trawlError = new TrawlError("ETIMEOUT", "slow");
    expect(trawlError).toBeInstanceOf(Error);
    expect(trawlError.name).toBe("TrawlError");
    expect(trawlError.code).toBe("ETIMEOUT");
    expect(new UsageError("bad").name).toBe("UsageError");
  });

  // Per-URL failures are values: capturing a stack for each would cost more than the URL's fetch.
  it("captures no stack for a per-URL failure, and leaves the stack limit as it was", () => {
    const limit = Error.stackTraceLimit;
    const trawlError = new TrawlError("EHTTP", "HTTP 404", { cause: new Error("inner") });
    expect(trawlError.stack?.split("\n")).toHaveLength(1);
    expect(trawlError.message).toBe("HTTP 404");
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error("x").stack?.split("\n").length).toBeGreaterThan(1);
  });
});
