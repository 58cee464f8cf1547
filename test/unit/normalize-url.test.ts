import { describe, expect, it } from "vitest";
import { normalizeUrl } from "../../src/urls/normalize.js";

const ok = (line: string) => {
  const result = normalizeUrl(line);
  if (!result.ok) throw new Error(`expected ${line} to be accepted: ${result.reason}`);
  return result.url;
};

describe("normalizeUrl", () => {
  it("drops the fragment", () => {
    expect(ok("https://example.com/page#section")).toBe("https://example.com/page");
    expect(ok("https://example.com/page#")).toBe("https://example.com/page");
    expect(ok("https://example.com/page?q=1#x")).toBe("https://example.com/page?q=1");
  });

  it("lower-cases the scheme and host", () => {
    expect(ok("HTTPS://Example.COM/Path")).toBe("https://example.com/Path");
  });

  it("drops the scheme's default port and keeps others", () => {
    expect(ok("http://example.com:80/")).toBe("http://example.com/");
    expect(ok("https://example.com:443/")).toBe("https://example.com/");
    expect(ok("http://example.com:443/")).toBe("http://example.com:443/");
    expect(ok("https://127.0.0.1:8443/x")).toBe("https://127.0.0.1:8443/x");
  });

  it("adds the root path and fixes percent-encoding the WHATWG way", () => {
    expect(ok("https://example.com")).toBe("https://example.com/");
    expect(ok("https://example.com/a b")).toBe("https://example.com/a%20b");
    expect(ok("https://example.com/a/../b")).toBe("https://example.com/b");
  });

  it("makes equal URLs equal strings (the dedupe key)", () => {
    expect(ok("HTTP://EXAMPLE.com:80/#top")).toBe(ok("http://example.com/"));
  });

  it.each([
    "mailto:someone@example.com",
    "file:///etc/passwd",
    "ftp://example.com/file",
    "javascript:alert(1)",
    "data:text/html,hi",
    "/relative/path",
    "example.com/no-scheme",
    "//example.com/protocol-relative",
    "not a url at all",
    "http://",
    "",
  ])("rejects %j with a reason and the line kept", (line) => {
    const result = normalizeUrl(line);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.line).toBe(line);
      expect(result.reason).not.toBe("");
    }
  });

  it("names the scheme it refuses", () => {
    const result = normalizeUrl("ftp://example.com/");
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining("ftp:") });
  });
});

describe("normalizeUrl: empty query", () => {
  it("drops a lone '?', which is the same request on the wire", () => {
    expect(normalizeUrl("http://example.com/a?")).toEqual({ ok: true, url: "http://example.com/a" });
    expect(normalizeUrl("http://example.com/a?b=")).toEqual({ ok: true, url: "http://example.com/a?b=" });
  });
});
