import { describe, expect, it } from "vitest";
import { parseDuration, parseSize, parseWholeNumber } from "../../src/cli/values.js";

describe("parseDuration", () => {
  it.each([
    ["250ms", 250],
    ["10s", 10_000],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["1500", 1500],
    ["0", 0],
    ["1.5s", 1500],
    ["10S", 10_000],
    [" 30s ", 30_000],
  ])("reads %j as %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "soon", "10 parsecs", "-5", "1e3", "s", "10sec", "ms10", "Infinity"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe("parseSize", () => {
  it.each([
    ["512kb", 524_288],
    ["10mb", 10 * 1024 * 1024],
    ["1gb", 1024 ** 3],
    ["2048", 2048],
    ["100b", 100],
    ["1k", 1024],
    ["10MB", 10 * 1024 * 1024],
    ["1.5kb", 1536],
  ])("reads %j as %d bytes", (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(["", "lots", "-1", "10 tb", "kb", "1e6", "10mib"])("rejects %j", (text) => {
    expect(parseSize(text)).toBeNull();
  });
});

describe("parseWholeNumber", () => {
  it("accepts decimal digits only", () => {
    expect(parseWholeNumber("16")).toBe(16);
    expect(parseWholeNumber(" 0 ")).toBe(0);
    for (const bad of ["", "1.5", "-1", "+2", "1e3", "0x10", "ten", "99999999999999999999"]) {
      expect(parseWholeNumber(bad), bad).toBeNull();
    }
  });
});
