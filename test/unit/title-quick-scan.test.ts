import { describe, expect, it } from "vitest";
import { decodeSimpleEntities, quickTitle } from "../../src/extract/title-byte-scan.js";
import { scanTitle, scanTitleInBytes } from "../../src/extract/title-scan.js";
import { lcg } from "../helpers/random.js";

const bytes = (html: string) => Buffer.from(html, "utf8");

/** What the byte scan says, finished as scanTitleInBytes finishes it. */
function finished(html: string): string | null | undefined {
  const quick = quickTitle(bytes(html));
  if (quick === undefined || quick === null) return quick;
  const text = typeof quick === "string" ? quick : scanTitle(`<title>${quick.raw}</title>`);
  return text === null ? null : text.replace(/\s+/g, " ").trim();
}

describe("quickTitle answers ordinary pages itself", () => {
  const PAGES: Record<string, [string, string | null]> = {
    "doctype, meta, title": ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title> A  page </title>', "A page"],
    "comment and script before": ['<!-- <title>no</title> --><script>var s = "<title>no</title>";</script><title>yes</title>', "yes"],
    "style before": ["<style>a::before{content:'</title>'}</style><TITLE>Styled</TITLE>", "Styled"],
    "quoted > and <title> in attributes": [`<meta content="a > b <title>x</title>" name='<title>'><title>real</title>`, "real"],
    "unquoted attribute": ["<div class=x data-y=1/2><title>t</title>", "t"],
    "processing instruction and end tags": ["<?xml version='1.0'?></p></ div><title>pi</title>", "pi"],
    "short comments": ["<!--><!---><title>short</title>", "short"],
    "script end tag spelled loudly": ["<SCRIPT>x</ScRiPt ><title>ok</title>", "ok"],
    "< that starts no tag": ["a < b <3 <title>lt</title>", "lt"],
    "self-closed script is not raw text": ["<script/><title>after</title>", "after"],
    entities: ["<title>Fish &amp; Chips &lt;3 &#233;t&#xE9; &nbsp;x</title>", "Fish & Chips <3 été x"],
    "UTF-8 text and a BOM": ["\ufeff<title>日本 — ☺</title>", "日本 — ☺"],
    "no title at all": ["<html><head><meta charset=utf-8></head><body><p>x</p></body></html>", null],
    "empty title": ["<title></title>", ""],
    "title text with markup": ["<title>a <b>b</b></title>", "a <b>b</b>"],
    // While the tokenizer is matching `</title`, `&` is plain text: only the tokenizer gets this right.
    "an entity right after <": ["<title>a <&amp; b</title>", "a <&amp; b"],
  };
  for (const [name, [html, title]] of Object.entries(PAGES)) {
    it(name, () => {
      expect(quickTitle(bytes(html))).not.toBeUndefined();
      expect(finished(html)).toBe(title);
      expect(scanTitle(html)).toBe(title);
    });
  }
});

describe("quickTitle leaves what it does not model to the tokenizer", () => {
  const DEFERRED = {
    "svg first": "<svg><title>icon</title></svg><title>doc</title>",
    "math first": "<math><title>m</title></math><title>doc</title>",
    cdata: "<![CDATA[<title>x</title>]]><title>doc</title>",
    "self-closed title": "<title/>x</title>",
    "unclosed title": "<title>never closed",
    "unclosed comment": "<!-- <title>x</title>",
    "<!- declaration": "<!-x><title>doc</title>",
    "a byte htmlparser2 reads as <": "<title>a\u001c/title> b</title>",
    "a byte htmlparser2 reads as /": "<title>a<\u000ftitle> b</title>",
  };
  for (const [name, html] of Object.entries(DEFERRED)) {
    it(`${name}, and scanTitleInBytes still agrees with the tokenizer`, () => {
      expect(quickTitle(bytes(html))).toBeUndefined();
      expect(scanTitleInBytes(bytes(html), "text/html; charset=utf-8")).toBe(scanTitle(html));
    });
  }
});

describe("decodeSimpleEntities", () => {
  it("decodes the common entities and plain numeric references", () => {
    expect(decodeSimpleEntities("a &amp; b &lt;&gt; &quot;q&quot; &apos; &#65;&#x42;&#X43; &#128512;")).toBe(`a & b <> "q" ' ABC 😀`);
    expect(decodeSimpleEntities("no entities")).toBe("no entities");
  });

  it("declines what only the full entity table decodes exactly", () => {
    for (const text of ["&amp", "&ampx;", "&eacute;", "&#0;", "&#128;", "&#xD800;", "&#x110000;", "& b", "&;"]) {
      expect(decodeSimpleEntities(text), text).toBeUndefined();
    }
  });

  it("agrees with the tokenizer wherever it answers", () => {
    for (const text of ["&amp;&amp;", "x&lt;y", "&#10;&#x9;", "&nbsp;&nbsp;", "&#xfffd;", "&#1114111;"]) {
      expect(decodeSimpleEntities(text)?.replace(/\s+/g, " ").trim()).toBe(scanTitle(`<title>${text}</title>`));
    }
  });
});

// Differential: documents assembled at random from the constructs that come before a title, read
// by the byte scan and by htmlparser2's tokenizer. Wherever the byte scan answers, it must agree.
describe("quickTitle against the tokenizer, on generated documents", () => {
  const FRAGMENTS = [
    "<!DOCTYPE html>",
    "<html>",
    "<head>",
    "<meta charset=utf-8>",
    '<meta name="x" content="a>b">',
    "<meta content='<title>'>",
    "<link rel=icon href=/f.ico/>",
    "<!-- c -->",
    "<!-->",
    "<!--->",
    "<!-- <title>c</title> -->",
    "<script>",
    "</script>",
    "<script>if (a<b) {}</script>",
    '<script>"</title>"</script >',
    "<style>",
    "</style>",
    "<STYLE>p{}</STYLE>",
    "<title>",
    "</title>",
    "<TITLE lang=en>",
    "</title >",
    "</title/>",
    "text",
    " ",
    "\n",
    "&amp;",
    "&eacute;",
    "&",
    "<",
    ">",
    "/",
    "'",
    '"',
    "=",
    "<svg>",
    "</svg>",
    "<p>",
    "</p>",
    '<a href="x">',
    "</a>",
    "<textarea>",
    "</textarea>",
    "<xmp>",
    "<?pi?>",
    "</ x>",
    "<//>",
    "<b/>",
    "<title/>",
    "<![CDATA[",
    "]]>",
    "é",
    "日本",
    "<!x>",
    "<!>",
    "<di v>",
    "<p =x>",
    "<p a= b>",
    "<&amp;",
    "</ti&lt;",
    "AT&amp;T",
    "&#233;",
    "&#x0;",
  ];
  // A small seeded generator, so a failure names a document that can be rebuilt.
  function* documents(seed: number, count: number): Generator<string> {
    const random = lcg(seed);
    const next = () => random() / 2 ** 32;
    for (let n = 0; n < count; n++) {
      const length = 1 + Math.floor(next() * 14);
      let html = "";
      for (let i = 0; i < length; i++) html += FRAGMENTS[Math.floor(next() * FRAGMENTS.length)];
      yield html;
    }
  }

  const SEED = Number(process.env.TITLE_SEED ?? 20261122);
  it("agrees on 20,000 documents, and answers a good share of them itself", () => {
    let answered = 0;
    for (const html of documents(SEED, 20_000)) {
      const quick = finished(html);
      if (quick === undefined) continue;
      answered++;
      if (quick !== scanTitle(html)) expect({ html, quick }).toEqual({ html, quick: scanTitle(html) });
    }
    expect(answered).toBeGreaterThan(6_000);
  });
});
