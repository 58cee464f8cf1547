/**
 * Extraction with -s (SPEC §3): first-match text, attributes with URL attributes resolved against
 * the final URL and <base href>, `name[]` arrays, and the title.
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { runCli, sharedRun } from "../helpers/cli.js";
import { recordFor } from "../helpers/records.js";
import { type HttpTestServer, httpServer, page, redirect, routes, sendHtml } from "../helpers/servers.js";

let server: HttpTestServer;

const ARTICLE = `<!doctype html><html><head><title>
    The   Article
    Title </title></head><body>
  <h1>
    Hello, world  </h1>
  <h1>Second heading</h1>
  <p class="lead" data-id="42">Lead paragraph</p>
  <ul><li> one </li><li>two</li><li>three</li></ul>
  <a class="rel" href="other.html">Other</a>
  <a class="root" href="/top.html">Top</a>
  <a class="abs" href="https://example.test/x?y=1">Abs</a>
  <img src="img/logo.png" alt="Logo">
  <form action="../submit"></form>
</body></html>`;

const WITH_BASE = page(
  "Based",
  '<a class="rel" href="page.html">p</a><img src="pic.png"><a href="/rooted">r</a>',
  '<base href="https://cdn.example.test/assets/v2/">',
);

beforeAll(async () => {
  server = await httpServer(
    routes({
      // The page is reached through a redirect, so relative URLs must resolve against /docs/.
      "/start": (_req, res) => redirect(res, "/docs/guide/article.html"),
      "/docs/guide/article.html": (_req, res) => sendHtml(res, ARTICLE),
      "/based": (_req, res) => sendHtml(res, WITH_BASE),
      "/error-page": (_req, res) => sendHtml(res, page("Oops", "<h1>Server fell over</h1>"), 500),
    }),
  );
});
afterAll(() => server.close());

// One run over the three pages with every selector; each test reads the fields it is about.
const SELECTORS: [string, string][] = [
  ["heading", "h1"],
  ["lead", "p.lead"],
  ["rel", "a.rel@href"],
  ["root", "a.root@href"],
  ["abs", "a.abs@href"],
  ["logo", "img@src"],
  ["action", "form@action"],
  ["alt", "img@alt"],
  ["id", "p.lead@data-id"],
  ["nothing", "a.rel@title"],
  ["items[]", "li"],
  ["hrefs[]", "a@href"],
  ["none[]", ".does-not-exist"],
  ["missing", ".does-not-exist"],
];
const run = sharedRun(() =>
  runCli([
    `${server.url}/start`,
    `${server.url}/based`,
    `${server.url}/error-page`,
    "-r",
    "0",
    ...SELECTORS.flatMap(([name, selector]) => ["-s", `${name}=${selector}`]),
  ]),
);
/** The shared run's record for a path of the server. */
const pageRecord = async (path: string) => recordFor(await run(), `${server.url}${path}`);

describe.concurrent("-s, --select", () => {
  it("collapses whitespace in the title and in the first match's text", async ({ expect }) => {
    const record = await pageRecord("/start");
    expect(record.title).toBe("The Article Title");
    expect(record.data).toMatchObject({ heading: "Hello, world", lead: "Lead paragraph" });
  });

  it("reads attributes, resolving URL attributes against the final URL", async ({ expect }) => {
    const base = `${server.url}/docs/guide/`;
    const record = await pageRecord("/start");
    expect(record.finalUrl).toBe(`${base}article.html`);
    expect(record.data).toMatchObject({
      rel: `${base}other.html`,
      root: `${server.url}/top.html`,
      abs: "https://example.test/x?y=1",
      logo: `${base}img/logo.png`,
      action: `${server.url}/docs/submit`,
      // Non-URL attributes are returned as written.
      alt: "Logo",
      id: "42",
      // An attribute the first match does not have.
      nothing: null,
    });
  });

  it("resolves URL attributes against <base href>", async ({ expect }) => {
    const record = await pageRecord("/based");
    expect(record.data).toMatchObject({
      rel: "https://cdn.example.test/assets/v2/page.html",
      logo: "https://cdn.example.test/assets/v2/pic.png",
      hrefs: ["https://cdn.example.test/assets/v2/page.html", "https://cdn.example.test/rooted"],
    });
  });

  it("collects every match with name[]=, [] when none, null for a missing single", async ({ expect }) => {
    const base = `${server.url}/docs/guide/`;
    const record = await pageRecord("/start");
    expect(record.data).toMatchObject({
      items: ["one", "two", "three"],
      hrefs: [`${base}other.html`, `${server.url}/top.html`, "https://example.test/x?y=1"],
      none: [],
      missing: null,
    });
  });

  it("extracts from an HTML error page too (any status)", async ({ expect }) => {
    expect(await pageRecord("/error-page")).toMatchObject({
      status: 500,
      ok: false,
      title: "Oops",
      data: { heading: "Server fell over" },
      error: { code: "EHTTP" },
    });
  });

  it("keys data by name (without []) in the order of the -s options", async ({ expect }) => {
    const record = await pageRecord("/start");
    expect(Object.keys(record.data)).toEqual(SELECTORS.map(([name]) => name.replace("[]", "")));
  });
});

describe.concurrent("an invalid selector", () => {
  // The fault comes after a positional filter, where cheerio only looks once the filter has matched:
  // it is still a usage error up front, not a failure on every page that has a <p>.
  it("is a usage error even when its fault follows a positional filter", async ({ expect }) => {
    const result = await runCli([`${server.url}/start`, "-s", "h=h1", "-s", "bad=p:first > :bogus"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/\bbad\b/);
    expect(result.stderr).toContain('invalid selector "p:first > :bogus" at character 11: unknown pseudo-class :bogus');
  });

  it('names the field and marks the spot on one line, not css-what\'s "(Expected name, found )"', async ({ expect }) => {
    const result = await runCli([`${server.url}/start`, "-s", "x=div["]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/\bx\b.*invalid selector "div\[" at character 5: expected a name/);
    expect(result.stderr).not.toContain("Expected name, found");
  });
});
