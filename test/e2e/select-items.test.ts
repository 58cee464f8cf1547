/**
 * What a user sees of SPEC §3 beyond plain fields: items (`list[]` with `list[].field`, nested),
 * `--each`, filters, `@attr` alone, `@html`/`@outerHtml`, whitespace collapsed, the bad fields refused
 * before anything is fetched, and hostile pages (100,000 nested divs, 100,000 links) that cost their
 * own record at most.
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { trawl } from "../../dist/index.js";
import { runCli, sharedRun } from "../helpers/cli.js";
import { type HttpTestServer, httpServer, routes, sendHtml } from "../helpers/servers.js";

const TIMEOUT = 30_000;
let server: HttpTestServer;

const SHOP = `<!doctype html><html lang="en-GB"><head><title>All products</title></head><body>
<ol>
  <li><article class="product_pod" data-rank="1">
    <h3><a href="a-light-in-the-attic_1000/index.html" title="A Light in the Attic">A Light in the ...</a></h3>
    <p class="price_color">£1,051.77</p>
    <p class="synopsis">
        It's hard to imagine
        a world without
    </p>
    <ul class="tags"><li>poetry</li><li>classics</li></ul>
    <span class="author"><b>Shel Silverstein</b></span>
  </article></li>
  <li><article class="product_pod" data-rank="2">
    <h3><a href="tipping-the-velvet_999/index.html" title="Tipping the Velvet">Tipping the ...</a></h3>
    <p class="price_color">Free</p>
    <ul class="tags"></ul>
    <span class="author"><b>Sarah Waters</b></span><span class="author"><b>Someone Else</b></span>
    <script type="application/ld+json">{"@type": "Book", "isbn": "978-1"}</script>
  </article></li>
</ol></body></html>`;

const DEEP = `<html><body>${"<div>".repeat(100_000)}<p id="bottom">bottom</p>${"</div>".repeat(100_000)}</body></html>`;
const LINKS = `<html><body>${Array.from({ length: 100_000 }, (_, i) => `<a href="/p/${i}">link ${i}</a>`).join("\n")}</body></html>`;

beforeAll(async () => {
  server = await httpServer(
    routes({
      "/catalogue/page-1.html": (_req, res) => sendHtml(res, SHOP),
      "/deep": (_req, res) => sendHtml(res, DEEP),
      "/links": (_req, res) => sendHtml(res, LINKS),
    }),
  );
});
afterAll(() => server.close());

const shop = () => `${server.url}/catalogue/page-1.html`;

const itemsRun = sharedRun(() =>
  runCli([
    shop(),
    "-s",
    "lang=@lang",
    "-s",
    "books[]=article",
    "-s",
    "books[].rank=@data-rank | int",
    "-s",
    "books[].title=h3 a@title",
    "-s",
    "books[].url=h3 a@href",
    "-s",
    "books[].price=.price_color | number",
    "-s",
    "books[].synopsis=.synopsis",
    "-s",
    "books[].tags[]=.tags li | upper",
    "-s",
    "books[].authors[]=.author",
    "-s",
    "books[].authors[].name=b",
    "-s",
    "books[].isbn=script | json | re:isbn",
    "-s",
    "books[].ld=script | json",
    "-s",
    "books[].tagsHtml=.tags@html",
    "-s",
    "firstTag=.tags li@outerHtml",
  ]),
);

describe.concurrent("items", () => {
  it("gives one object per element, fields inside it, nested lists, filters, in document order", { timeout: TIMEOUT }, async ({
    expect,
  }) => {
    const result = await itemsRun();
    expect(result.code).toBe(0);
    const [record] = result.records;
    expect(record?.data).toEqual({
      lang: "en-GB",
      books: [
        {
          rank: 1,
          title: "A Light in the Attic",
          url: `${server.url}/catalogue/a-light-in-the-attic_1000/index.html`,
          price: 1051.77,
          synopsis: "It's hard to imagine a world without",
          tags: ["POETRY", "CLASSICS"],
          authors: [{ name: "Shel Silverstein" }],
          isbn: null,
          ld: null,
          tagsHtml: "<li>poetry</li><li>classics</li>",
        },
        {
          rank: 2,
          title: "Tipping the Velvet",
          url: `${server.url}/catalogue/tipping-the-velvet_999/index.html`,
          price: null,
          synopsis: null,
          tags: [],
          authors: [{ name: "Sarah Waters" }, { name: "Someone Else" }],
          // json gives an object: a text filter after it finds no text.
          isbn: null,
          ld: { "@type": "Book", isbn: "978-1" },
          tagsHtml: "",
        },
      ],
      firstTag: "<li>poetry</li>",
    });
  });

  it("--each evaluates every -s field inside each element, into data.items", { timeout: TIMEOUT }, async ({ expect }) => {
    const result = await runCli([
      shop(),
      "--each",
      "article",
      "-s",
      "title=h3 a@title",
      "-s",
      "price=.price_color | number",
      "-s",
      "rank=@data-rank",
    ]);
    expect(result.code).toBe(0);
    expect(result.records[0]?.data).toEqual({
      items: [
        { title: "A Light in the Attic", price: 1051.77, rank: "1" },
        { title: "Tipping the Velvet", price: null, rank: "2" },
      ],
    });
  });

  it("--each takes its own items from the library's `each` option too", { timeout: TIMEOUT }, async ({ expect }) => {
    const records = [];
    for await (const record of trawl([shop()], { each: "article", select: { "authors[]": ".author b" }, retries: 0 })) records.push(record);
    expect(records[0]?.data).toEqual({ items: [{ authors: ["Shel Silverstein"] }, { authors: ["Sarah Waters", "Someone Else"] }] });
  });
});

describe.concurrent("fields refused before the run", () => {
  // Each is a usage error: exit 2, one line on stderr naming the field, nothing on stdout, nothing fetched.
  it.for<[string[], RegExp]>([
    [["-s", "price=.price | numbr"], /price.*unknown filter "numbr"/],
    [["-s", "id=a@href | re:("], /\bid\b.*the regular expression of "\| re:\(" does not compile/],
    [["-s", "body=div@innerHTML"], /body.*unknown pseudo-attribute "@innerHTML" \(did you mean @html\?/],
    [["-s", "books[].title=h3"], /books\[\]\.title.*a sub-field needs its list/],
    [["-s", "book=article", "-s", "book.title=h3"], /book\.title.*"book" is not a list field/],
    [["-s", "books[]=article@id", "-s", "books[].t=h3"], /books\[\].*a list with sub-fields/],
    [["-s", "books[]=article", "-s", "books[].t=h3["], /books\[\]\.t.*invalid selector "h3\[" at character 4: expected a name/],
    [["--each", "li[", "-s", "t=h3"], /each.*invalid selector "li\[" at character 4: expected a name/],
  ])("%j", { timeout: TIMEOUT }, async ([args, message], { expect }) => {
    // A path of its own, so that the other tests' requests (run at the same time) do not count.
    const path = `/catalogue/refused-${encodeURIComponent(args.join(" "))}`;
    const result = await runCli([`${server.url}${path}`, ...args]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(server.log.filter((request) => request.url === path)).toEqual([]);
  });
});

describe.concurrent("hostile pages cost their own record at most", () => {
  it("100,000 nested divs: -s outer=div and -s deep=#bottom are read, not EPROTOCOL", { timeout: TIMEOUT }, async ({ expect }) => {
    const result = await runCli([`${server.url}/deep`, "-s", "outer=div", "-s", "deep=#bottom", "-s", "html=body@outerHtml", "-r", "0"]);
    expect(result.code).toBe(0);
    const [record] = result.records;
    expect(record).toMatchObject({ ok: true, bytes: Buffer.byteLength(DEEP), error: null, data: { outer: "bottom", deep: "bottom" } });
    expect(String(record?.data.html).startsWith("<body><div><div>")).toBe(true);
  });

  it("100,000 links", { timeout: TIMEOUT }, async ({ expect }) => {
    const result = await runCli([`${server.url}/links`, "-s", "links[]=a@href", "-s", "n[]=a | int", "-r", "0"]);
    expect(result.code).toBe(0);
    const data = result.records[0]?.data as { links: string[]; n: number[] };
    expect(data.links).toHaveLength(100_000);
    expect(data.links[99_999]).toBe(`${server.url}/p/99999`);
    expect(data.n[12_345]).toBe(12_345);
  });
});
