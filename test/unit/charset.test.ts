import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { charsetOfContentType, decodeText, isHtml } from "../../src/extract/charset.js";

const CYRILLIC = "Привет, мир! Съешь же ещё этих мягких французских булок";
const JAPANESE = "こんにちは世界、日本語のページです";
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));
const encode = (text: string, charset: string) => new Uint8Array(iconv.encode(text, charset));

describe("charsetOfContentType", () => {
  it.each([
    ["text/html; charset=windows-1251", "windows-1251"],
    ["text/html;charset=UTF-8", "UTF-8"],
    ['text/html; charset="Shift_JIS"', "Shift_JIS"],
    ["text/html; foo=bar; charset = iso-8859-1 ; q=1", "iso-8859-1"],
    ["TEXT/HTML; CHARSET=koi8-r", "koi8-r"],
  ])("reads %j", (contentType, label) => {
    expect(charsetOfContentType(contentType)).toBe(label);
  });

  it("returns null when there is no charset", () => {
    expect(charsetOfContentType(null)).toBeNull();
    expect(charsetOfContentType("text/html")).toBeNull();
    expect(charsetOfContentType("text/html; charset=")).toBeNull();
  });
});

describe("decodeText", () => {
  it("decodes windows-1251 bytes by the Content-Type charset", () => {
    const bytes = encode(CYRILLIC, "windows-1251");
    expect(decodeText(bytes, "text/html; charset=windows-1251")).toBe(CYRILLIC);
    // The same bytes read as UTF-8 are mojibake, so the charset really was applied.
    expect(decodeText(bytes, "text/html")).not.toBe(CYRILLIC);
  });

  it("decodes Shift_JIS bytes by the Content-Type charset", () => {
    const bytes = encode(JAPANESE, "Shift_JIS");
    expect(decodeText(bytes, "text/html; charset=Shift_JIS")).toBe(JAPANESE);
    expect(decodeText(bytes, 'text/html; charset="shift_jis"')).toBe(JAPANESE);
  });

  it("lets the Content-Type charset win over <meta charset>", () => {
    const html = `<html><head><meta charset="utf-8"><title>${CYRILLIC}</title></head></html>`;
    const bytes = encode(html, "windows-1251");
    expect(decodeText(bytes, "text/html; charset=windows-1251")).toContain(CYRILLIC);
  });

  it("uses <meta charset> when Content-Type has none", () => {
    const html = `<!doctype html><html><head><meta charset="windows-1251"><title>${CYRILLIC}</title></head></html>`;
    expect(decodeText(encode(html, "windows-1251"), "text/html")).toContain(CYRILLIC);
    const unquoted = `<html><head><meta charset=Shift_JIS><title>${JAPANESE}</title></head></html>`;
    expect(decodeText(encode(unquoted, "Shift_JIS"), null)).toContain(JAPANESE);
  });

  it("uses <meta http-equiv=Content-Type content=…charset=…>", () => {
    const html = `<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><title>${CYRILLIC}</title></head></html>`;
    expect(decodeText(encode(html, "windows-1251"), "text/html")).toContain(CYRILLIC);
  });

  it("uses a UTF-8 BOM (and drops it) when Content-Type has no charset", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(CYRILLIC)]);
    expect(decodeText(bytes, "text/html")).toBe(CYRILLIC);
  });

  it("lets a BOM win over a contradicting <meta charset>", () => {
    const html = `<meta charset="windows-1251"><p>${CYRILLIC}</p>`;
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(html)]);
    expect(decodeText(bytes, null)).toContain(CYRILLIC);
  });

  it("uses a UTF-16 BOM", () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JAPANESE, "utf16le")]);
    expect(decodeText(new Uint8Array(le), null)).toBe(JAPANESE);
    const be = Buffer.from(iconv.encode(JAPANESE, "utf16-be"));
    expect(decodeText(new Uint8Array(Buffer.concat([Buffer.from([0xfe, 0xff]), be])), null)).toBe(JAPANESE);
  });

  it("defaults to UTF-8", () => {
    expect(decodeText(utf8(CYRILLIC), null)).toBe(CYRILLIC);
    expect(decodeText(utf8(JAPANESE), "text/html")).toBe(JAPANESE);
  });

  it("falls back to UTF-8 for an unknown label instead of throwing", () => {
    expect(decodeText(utf8(CYRILLIC), "text/html; charset=no-such-charset")).toBe(CYRILLIC);
    const html = `<meta charset="klingon"><p>${JAPANESE}</p>`;
    expect(decodeText(utf8(html), null)).toContain(JAPANESE);
  });

  it("decodes an empty body to an empty string", () => {
    expect(decodeText(new Uint8Array(), "text/html; charset=windows-1251")).toBe("");
  });
});

describe("isHtml", () => {
  const some = utf8("{}");

  it.each([
    ["text/html", true],
    ["text/html; charset=utf-8", true],
    ["TEXT/HTML", true],
    ["application/xhtml+xml", true],
    ["application/json", false],
    ["text/plain", false],
    ["image/png", false],
    ["text/htmlx", false],
  ])("judges %j by the media type: %s", (contentType, expected) => {
    expect(isHtml(contentType, some)).toBe(expected);
  });

  it("trusts the media type over the body", () => {
    expect(isHtml("text/plain", utf8("<!doctype html><html></html>"))).toBe(false);
  });

  it("sniffs the first bytes when there is no Content-Type", () => {
    expect(isHtml(null, utf8("<!DOCTYPE html><html><title>x</title></html>"))).toBe(true);
    expect(isHtml(null, utf8("\n\n  <html lang=en>"))).toBe(true);
    expect(isHtml(null, new Uint8Array([0xef, 0xbb, 0xbf, ...utf8("<!doctype html>")]))).toBe(true);
    expect(isHtml(null, utf8('{"html": true}'))).toBe(false);
    expect(isHtml(null, utf8("plain text"))).toBe(false);
    expect(isHtml(null, new Uint8Array())).toBe(false);
  });
});
