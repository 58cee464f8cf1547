import { describe, expect, it } from "vitest";
import { scanLinks } from "../../src/crawl/links.js";
import { inScope } from "../../src/crawl/scope.js";

const u = (text: string) => new URL(text);

describe("inScope", () => {
  it("origin: scheme, host and port must match", () => {
    expect(inScope(u("https://example.com/a"), u("https://example.com/"), "origin")).toBe(true);
    expect(inScope(u("http://example.com/a"), u("https://example.com/"), "origin")).toBe(false);
    expect(inScope(u("https://example.com:8443/a"), u("https://example.com/"), "origin")).toBe(false);
  });
  it("host: any scheme or port of the same host name", () => {
    expect(inScope(u("http://example.com:8080/a"), u("https://example.com/"), "host")).toBe(true);
    expect(inScope(u("https://www.example.com/"), u("https://example.com/"), "host")).toBe(false);
  });
  it("domain: the registrable domain by the public suffix list", () => {
    expect(inScope(u("https://shop.example.co.uk/"), u("https://www.example.co.uk/"), "domain")).toBe(true);
    expect(inScope(u("https://other.co.uk/"), u("https://www.example.co.uk/"), "domain")).toBe(false);
    // github.io is a public suffix (private section): two users' sites are two domains.
    expect(inScope(u("https://alice.github.io/"), u("https://bob.github.io/"), "domain")).toBe(false);
    expect(inScope(u("https://a.b.example.com/"), u("https://example.com/"), "domain")).toBe(true);
    expect(inScope(u("http://127.0.0.1:1/"), u("http://127.0.0.1:2/"), "domain")).toBe(true);
    expect(inScope(u("http://127.0.0.2/"), u("http://127.0.0.1/"), "domain")).toBe(false);
  });
  it("any: everything", () => {
    expect(inScope(u("https://elsewhere.org/"), u("https://example.com/"), "any")).toBe(true);
  });
});

describe("scanLinks", () => {
  it("resolves against <base href> and the page, normalises, dedupes, keeps http(s) only", () => {
    const page = `<html><head><base href="/root/"></head><body>
      <a href="a">1</a><a href="a#frag">dup</a><a href="HTTP://EXAMPLE.COM:80/x">2</a>
      <a href="mailto:x@y">no</a><a href="javascript:void(0)">no</a><a href="data:,x">no</a><a>no href</a>
      <a rel="external nofollow" href="/nf">nofollow</a><A HREF="/upper">upper</A></body></html>`;
    expect(scanLinks(page, "https://site.test/dir/page", false).links).toEqual([
      "https://site.test/root/a",
      "http://example.com/x",
      "https://site.test/upper",
    ]);
    expect(scanLinks(page, "https://site.test/dir/page", true).links).toContain("https://site.test/nf");
  });
});
