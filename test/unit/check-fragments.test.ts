/** checkFragments' parts (SPEC §9): ids and links read from tags, `page#id` settled before or after the page. */
import { describe, expect, it } from "vitest";
import { FragmentIndex } from "../../src/crawl/fragments.js";
import { PageTags, readTags, srcsetUrls } from "../../src/crawl/page-tags.js";
import type { TrawlRecord } from "../../src/record.js";

function index() {
  const missing: TrawlRecord[] = [];
  const found: string[] = [];
  const fragments = new FragmentIndex(
    (record) => missing.push(record),
    (key) => found.push(key),
  );
  return { fragments, missing, found };
}

const PAGE = "https://site.test/page";
const place = { depth: 1, parent: "https://site.test/" };

describe("FragmentIndex", () => {
  it("settles a link found after its page was read at once", () => {
    const { fragments, missing, found } = index();
    fragments.addPage([PAGE], ["intro", "usage"]);
    fragments.link(PAGE, "usage", place);
    fragments.link(PAGE, "nowhere", place);
    expect(found).toEqual([`${PAGE}#usage`]);
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({
      url: `${PAGE}#nowhere`,
      finalUrl: null,
      status: null,
      ok: false,
      attempts: 0,
      depth: 1,
      parent: "https://site.test/",
      error: { code: "EFRAGMENT" },
    });
    expect(missing[0]?.error?.message).toContain('"nowhere"');
  });

  it("keeps a link found before its page, and settles it when the page is read", () => {
    const { fragments, missing, found } = index();
    fragments.link(PAGE, "later", place);
    fragments.link(PAGE, "never", { depth: 2, parent: "https://site.test/a" });
    expect(missing).toEqual([]);
    expect(found).toEqual([]);
    fragments.addPage([PAGE], ["later"]);
    expect(found).toEqual([`${PAGE}#later`]);
    expect(missing.map((record) => [record.url, record.parent])).toEqual([[`${PAGE}#never`, "https://site.test/a"]]);
  });

  it("reports a missing fragment once however many links point at it", () => {
    const { fragments, missing } = index();
    fragments.addPage([PAGE], []);
    for (let i = 0; i < 5; i++) fragments.link(PAGE, "gone", place);
    expect(missing).toHaveLength(1);
  });

  it("compares the fragment as written and percent-decoded; top, text directives and routes need no element", () => {
    const { fragments, missing } = index();
    fragments.addPage([PAGE], ["café", "a%20b", "x y"]);
    for (const fragment of ["caf%C3%A9", "a%20b", "x%20y", "top", "TOP", ":~:text=hello", "/route/1", "!hash-bang", "bad%ZZ"]) {
      fragments.link(PAGE, fragment, place);
    }
    expect(missing.map((record) => record.url)).toEqual([`${PAGE}#bad%ZZ`]);
  });

  it("knows a redirected page's ids under both its URLs", () => {
    const { fragments, missing } = index();
    fragments.link("https://site.test/final", "here", place);
    fragments.addPage([PAGE, "https://site.test/final"], ["here"]);
    fragments.link(PAGE, "here", place);
    expect(missing).toEqual([]);
  });

  it("drops links still waiting for a page that was never read", () => {
    const { fragments, missing, found } = index();
    fragments.link("https://site.test/failed", "x", place);
    fragments.clear();
    fragments.addPage(["https://site.test/failed"], []);
    expect(missing).toEqual([]);
    expect(found).toEqual([]);
  });

  it("holds 100,000 ids of one page and finds the last of them", () => {
    const { fragments, missing, found } = index();
    const ids = Array.from({ length: 100_000 }, (_, i) => `id-${i}`);
    fragments.addPage([PAGE], ids);
    fragments.link(PAGE, "id-99999", place);
    fragments.link(PAGE, "id-100000", place);
    expect(found).toEqual([`${PAGE}#id-99999`]);
    expect(missing.map((record) => record.url)).toEqual([`${PAGE}#id-100000`]);
  });
});

describe("PageTags", () => {
  const all = { ids: true, fragmentLinks: true, resources: true, followNofollow: false };

  it("reads ids, <a name>, fragment links (not nofollow ones), resources and the first <base href>", () => {
    const tags = new PageTags(all);
    readTags(
      `<base href="/docs/"><base href="/ignored/">
       <h2 id="one">1</h2><a name="two"></a><a id="">empty</a>
       <a href="#one">in page</a><a href="other#x">other</a><a href="plain">no fragment</a>
       <a href="#secret" rel="external nofollow">nofollow</a>
       <img src="a.png" srcset="b.png 1x, c.png 2x"><script src="/app.js"></script>
       <link rel="stylesheet" href="site.css"><link rel="canonical" href="/canon"><link rel="Shortcut Icon" href="/favicon.ico">
       <video src="v.mp4" poster="p.jpg"></video><iframe src="frame.html"></iframe><object data="o.svg"></object>
       <input type="image" src="button.png"><input type="text" src="not-loaded.png"><img src="  ">`,
      tags,
    );
    expect(tags.ids).toEqual(["one", "two"]);
    expect(tags.fragmentHrefs).toEqual(["#one", "other#x"]);
    expect(tags.resources).toEqual([
      "a.png",
      "b.png",
      "c.png",
      "/app.js",
      "site.css",
      "/favicon.ico",
      "v.mp4",
      "p.jpg",
      "frame.html",
      "o.svg",
      "button.png",
    ]);
    expect(tags.baseUrl("https://site.test/page")).toBe("https://site.test/docs/");
  });

  it("keeps nofollow fragment links with followNofollow, and reads only what is wanted", () => {
    const tags = new PageTags({ ids: false, fragmentLinks: true, resources: false, followNofollow: true });
    readTags('<p id="x"></p><a rel="nofollow" href="/a#b"></a><img src="i.png">', tags);
    expect(tags.ids).toEqual([]);
    expect(tags.fragmentHrefs).toEqual(["/a#b"]);
    expect(tags.resources).toEqual([]);
  });

  it("falls back to the page's URL when <base href> is unusable", () => {
    const tags = new PageTags(all);
    readTags('<base href="http://[bad">', tags);
    expect(tags.baseUrl("https://site.test/page")).toBe("https://site.test/page");
  });
});

describe("srcsetUrls", () => {
  it.each([
    ["a.png", ["a.png"]],
    ["a.png 1x, b.png 2x", ["a.png", "b.png"]],
    ["  a.png   100w ,b.png 200w,c.png", ["a.png", "b.png", "c.png"]],
    ["a.png,b.png", ["a.png,b.png"]],
    ["a.png, b.png", ["a.png", "b.png"]],
    ["data:image/png;base64,AAAA 1x, b.png 2x", ["data:image/png;base64,AAAA", "b.png"]],
    ["a.png (weird, descriptor), b.png", ["a.png", "b.png"]],
    ["", []],
  ])("%j", (srcset, urls) => {
    expect(srcsetUrls(srcset)).toEqual(urls);
  });
});
