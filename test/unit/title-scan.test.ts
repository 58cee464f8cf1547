import { load } from "cheerio/slim";
import { describe, expect, it } from "vitest";
import { scanTitle, scanTitleInBytes } from "../../src/extract/title-scan.js";

/** What the full DOM parse says the title is: the reference the fast path must match. */
function domTitle(html: string): string | null {
  const $ = load(html);
  const title = $("title").not("svg title").first();
  return title.length ? title.text().replace(/\s+/g, " ").trim() : null;
}

const CASES: Record<string, string> = {
  plain: "<html><head><title>Hello</title></head><body></body></html>",
  whitespace: "<title>\n  Hello\t\tworld \n</title>",
  entities: "<title>Fish &amp; Chips &lt;3 &eacute;t&#233; &#x263A;</title>",
  uppercase: "<HTML><HEAD><TITLE>Loud</TITLE></HEAD></HTML>",
  attributes: '<title data-x="1" lang=en>With attributes</title>',
  "in a comment first": "<!-- <title>Not me</title> --><title>Me</title>",
  "in a script first": '<script>document.write("<title>Not me</title>")</script><title>Me</title>',
  "svg title first": "<body><svg><title>Icon</title></svg><title>Document</title></body>",
  "only svg title": "<body><svg><title>Icon</title></svg></body>",
  "markup inside": "<title>a <b>bold</b> move</title>",
  "no title": "<html><head></head><body><h1>x</h1></body></html>",
  "empty title": "<title></title>",
  unclosed: "<title>Never closed",
  "late title": `<body>${"<p>filler</p>".repeat(2000)}<title>Late</title></body>`,
  "two titles": "<title>First</title><title>Second</title>",
  cdata: "<title><![CDATA[x]]> y</title>",
};

describe("scanTitle, the title fast path", () => {
  for (const [name, html] of Object.entries(CASES)) {
    it(`matches the DOM parse: ${name}`, () => {
      expect(scanTitle(html)).toBe(domTitle(html));
    });
  }

  it("reads the expected values", () => {
    expect(scanTitle(CASES.entities as string)).toBe("Fish & Chips <3 été ☺");
    expect(scanTitle(CASES["svg title first"] as string)).toBe("Document");
    expect(scanTitle(CASES["no title"] as string)).toBeNull();
  });
});

describe("scanTitleInBytes, straight from the body", () => {
  it("decodes by the charset and agrees with scanTitle on the decoded text", async () => {
    const { default: iconv } = await import("iconv-lite");
    const html = "<html><head><meta charset=windows-1251><title>Русская классика</title></head></html>";
    expect(scanTitleInBytes(iconv.encode(html, "windows-1251"), "text/html")).toBe("Русская классика");
  });

  it("keeps a character that straddles two slices whole", () => {
    for (let pad = 2030; pad < 2050; pad++) {
      const html = `<!--${"x".repeat(pad)}--><title>été ☺ 日本</title>`;
      expect(scanTitleInBytes(Buffer.from(html, "utf8"), "text/html; charset=utf-8")).toBe("été ☺ 日本");
    }
  });

  it("drops a UTF-8 BOM and reads a title after it", () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("<title>bom</title>")]);
    expect(scanTitleInBytes(bytes, null)).toBe("bom");
  });
});
