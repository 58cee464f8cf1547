/**
 * trawl as a link checker in CI (SPEC §9), end to end against two real servers: an "internal" site
 * on 127.0.0.1 and an "external" host on 127.0.0.2. --check-links [all], --check-fragments,
 * linkedFrom, --accept, --fail-on, --junit, the step summary and the annotations.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCli, type TrawlRecord } from "../helpers/cli.js";
import { recordFor } from "../helpers/records.js";
import { type HttpTestServer, httpServer, type SeenRequest, sleep } from "../helpers/servers.js";

let site: HttpTestServer;
let external: HttpTestServer;
let dir: string;
// The last pages linking to /broken answer only once /broken has been answered: they are read after
// its record is made, and must still be named in it (3 s at most, so that a bug cannot hang the test).
let brokenAnswered: () => void = () => {};
const brokenServed = new Promise<void>((resolve) => (brokenAnswered = resolve));
const answeredAt = new Map<string, number>();

const html = (body: string, status = 200) => ({ status, type: "text/html; charset=utf-8", body });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "trawl-check-links-"));
  external = await httpServer(
    async (req, res) => {
      const path = req.url ?? "/";
      // Slow enough that a per-host limit shows.
      await sleep(30);
      const send = (status: number, type: string | null, body = "") => {
        res.writeHead(status, type === null ? {} : { "content-type": type });
        res.end(req.method === "HEAD" ? undefined : body);
      };
      if (path === "/robots.txt") return send(200, "text/plain", "User-agent: *\nDisallow: /private\n");
      if (path === "/nohead") return req.method === "HEAD" ? send(405, null) : send(200, "text/html", "<p>GET only</p>");
      if (path === "/busy") return send(429, "text/plain", "slow down");
      if (path === "/gone") return send(404, "text/html", "<p>gone</p>");
      if (path === "/ok") return send(200, "text/html", '<p id="here">ok</p><a href="/not-followed">never fetched</a>');
      if (path.startsWith("/many/")) return send(200, "text/plain", "fine");
      return send(200, "text/html", "<p>anything</p>");
    },
    { host: "127.0.0.2" },
  );
  const E = external.url;
  const pages = Array.from({ length: 30 }, (_, k) => `<a href="/p/${k}">page ${k}</a>`).join("");
  const routes: Record<string, () => { status: number; type: string; body: string }> = {
    "/": () =>
      html(
        `<title>home</title>${pages}
         <a href="/docs#present">present</a><a href="/docs#absent">absent</a>
         <a href="/big#id-99999">last id</a><a href="/big#id-100000">no such id</a>
         <a href="${E}/ok">ok</a><a href="${E}/ok#here">ok, fragment</a><a href="${E}/nohead">no HEAD</a>
         <a href="${E}/busy">429</a><a href="${E}/gone">404</a><a href="${E}/skip-me">excluded</a>
         <a href="${E}/private/page">robots</a>${Array.from({ length: 6 }, (_, i) => `<a href="${E}/many/${i}">many ${i}</a>`).join("")}
         <img src="/missing.png" srcset="/a.png 1x, /b.png 2x"><script src="/app.js"></script><link rel="stylesheet" href="/site.css">`,
      ),
    "/outbound": () => html(`<a href="${E}/ok#here">there</a><a href="${E}/ok#nope">not there</a><a href="${E}/gone">no fragment</a>`),
    "/small": () => html('<a href="/broken">broken</a><a href="/docs#absent">absent</a><a href="/docs#present">present</a>'),
    "/docs": () => html('<h2 id="present">present</h2>'),
    // Followed by a selector (--follow a.next, or a recipe): the checks read every a[href] of it all the same.
    "/chosen": () =>
      html(
        `<a class="next" href="/docs">next</a><a href="${E}/gone">404</a><a href="${E}/ok#nope">no such id</a>` +
          '<a href="/chosen#absent">absent</a><a href="/chosen#top">top</a><h1 id="top">top</h1><a href="/broken">not chosen</a>',
      ),
    "/big": () => html(Array.from({ length: 100_000 }, (_, i) => `<i id="id-${i}"></i>`).join("")),
    "/broken": () => html("<p>not here</p>", 404),
    "/missing.png": () => ({ status: 404, type: "text/plain", body: "no" }),
  };
  site = await httpServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const page = /^\/p\/(\d+)$/.exec(path);
    let answer = routes[path]?.();
    if (page) {
      if (Number(page[1]) >= 25) {
        await Promise.race([brokenServed, sleep(3000)]);
        await sleep(100);
      }
      answer = html(`<a href="/broken">broken</a><a href="/">home</a>`);
    } else if (answer === undefined && /\.(png|js|css)$/.test(path)) {
      answer = { status: 200, type: "application/octet-stream", body: "bytes" };
    }
    answer ??= html("<p>nope</p>", 404);
    res.writeHead(answer.status, { "content-type": answer.type });
    res.end(req.method === "HEAD" ? undefined : answer.body);
    answeredAt.set(path, performance.now());
    if (path === "/broken") brokenAnswered();
  });
});
afterAll(async () => {
  await Promise.all([site.close(), external.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const methodsFor = (server: HttpTestServer, path: string) =>
  server.log.filter((request: SeenRequest) => request.url === path).map((r) => r.method);
const failedOf = (records: TrawlRecord[]) => records.filter((record) => !record.ok);
const requestsOf = (server: HttpTestServer, path: string) => server.log.filter((request: SeenRequest) => request.url === path).length;
const errorLines = (stderr: string) => stderr.split("\n").filter((line) => /^::(error|warning)/.test(line));

describe("--check-links all --check-fragments, with --junit and GITHUB_STEP_SUMMARY", () => {
  let result: CliResult;
  let stepSummary: string;
  let junit: string;
  let broken: TrawlRecord;
  beforeAll(async () => {
    site.resetStats();
    external.resetStats();
    const stepFile = join(dir, "step.md");
    writeFileSync(stepFile, "");
    const junitFile = join(dir, "links.xml");
    result = await runCli(
      ["--crawl", "--check-links", "all", "--check-fragments", "-r", "2", "--retry-delay", "10ms", "--junit", junitFile, `${site.url}/`],
      { env: { GITHUB_STEP_SUMMARY: stepFile }, timeoutMs: 30_000 },
    );
    stepSummary = readFileSync(stepFile, "utf8");
    junit = readFileSync(junitFile, "utf8");
    broken = recordFor(result, `${site.url}/broken`);
  }, 40_000);

  it("exits 1, every URL once, and the failed records after every ok one", () => {
    expect(result.code, result.stderr).toBe(1);
    const urls = result.records.map((record) => record.url);
    expect(new Set(urls).size).toBe(urls.length);
    const firstFailed = result.records.findIndex((record) => !record.ok);
    expect(result.records.slice(firstFailed).every((record) => !record.ok)).toBe(true);
    for (const record of failedOf(result.records)) expect(record.linkedFrom, record.url).toBeDefined();
    for (const record of result.records.filter((each) => each.ok)) expect(record).not.toHaveProperty("linkedFrom");
  });

  it("names 20 of the 30 pages linking to a broken link, and counts the other 10, however late they were read", () => {
    expect(broken).toMatchObject({ status: 404, ok: false, error: { code: "EHTTP" } });
    const linkedFrom = broken.linkedFrom as { urls: string[]; more: number };
    expect(linkedFrom.urls).toHaveLength(20);
    expect(linkedFrom.more).toBe(10);
    expect(new Set(linkedFrom.urls).size).toBe(20);
    for (const url of linkedFrom.urls) expect(url).toMatch(new RegExp(`^${site.url}/p/\\d+$`));
    // Five of them were answered after /broken was: read late, and still counted.
    const late = [25, 26, 27, 28, 29].map((k) => answeredAt.get(`/p/${k}`) as number);
    expect(Math.min(...late)).toBeGreaterThan(answeredAt.get("/broken") as number);
    // Keys in the documented order: linkedFrom just before error.
    expect(Object.keys(broken).slice(-2)).toEqual(["linkedFrom", "error"]);
  });

  it("checks resources (img src and srcset, script, stylesheet) with HEAD, whatever their origin", () => {
    for (const path of ["/a.png", "/b.png", "/app.js", "/site.css"]) {
      expect(recordFor(result, `${site.url}${path}`)).toMatchObject({ ok: true, status: 200, bytes: 0, title: null });
      expect(methodsFor(site, path)).toEqual(["HEAD"]);
    }
    const missing = recordFor(result, `${site.url}/missing.png`);
    expect(missing).toMatchObject({
      ok: false,
      status: 404,
      attempts: 2,
      error: { code: "EHTTP" },
      linkedFrom: { urls: [`${site.url}/`], more: 0 },
    });
    // HEAD answered 404: asked again with GET, which gave 404 too.
    expect(methodsFor(site, "/missing.png")).toEqual(["HEAD", "GET"]);
  });

  it("gives a missing fragment a record of its own (EFRAGMENT) and none to a present one", () => {
    const absent = recordFor(result, `${site.url}/docs#absent`);
    expect(absent).toMatchObject({
      ok: false,
      status: null,
      attempts: 0,
      depth: 1,
      parent: `${site.url}/`,
      error: { code: "EFRAGMENT" },
      linkedFrom: { urls: [`${site.url}/`], more: 0 },
    });
    expect(absent.error?.message).toContain('"absent"');
    expect(result.records.some((record) => record.url === `${site.url}/docs#present`)).toBe(false);
    expect(recordFor(result, `${site.url}/docs`).ok).toBe(true);
  });

  it("finds the last of a page's 100,000 ids, and misses the one it does not have", () => {
    expect(recordFor(result, `${site.url}/big`)).toMatchObject({ ok: true, status: 200 });
    expect(result.records.some((record) => record.url === `${site.url}/big#id-99999`)).toBe(false);
    expect(recordFor(result, `${site.url}/big#id-100000`)).toMatchObject({ error: { code: "EFRAGMENT" } });
  });

  it("reads an external page's ids (GET) but never follows its links", () => {
    expect(recordFor(result, `${external.url}/ok`)).toMatchObject({ ok: true, status: 200, depth: 1, parent: `${site.url}/`, title: null });
    expect(result.records.some((record) => record.url === `${external.url}/ok#here`)).toBe(false);
    expect(methodsFor(external, "/not-followed")).toEqual([]);
    // Without --accept, a host that answers 429 fails after its retries.
    expect(recordFor(result, `${external.url}/busy`)).toMatchObject({ ok: false, status: 429, attempts: 3, error: { code: "EHTTP" } });
  });

  it("writes a JUnit report that a real XML parser reads back: one test case per record", () => {
    expect(XMLValidator.validate(junit)).toBe(true);
    const document = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_" }).parse(junit);
    const cases = document.testsuites.testsuite.testcase as Record<string, unknown>[];
    expect(cases.map((each) => each["@_name"])).toEqual(result.records.map((record) => record.url));
    const failed = failedOf(result.records).length;
    expect(document.testsuites).toMatchObject({ "@_tests": String(result.records.length), "@_failures": String(failed) });
    const brokenCase = cases.find((each) => each["@_name"] === `${site.url}/broken`) as { failure: Record<string, string> };
    expect(brokenCase.failure).toMatchObject({ "@_type": "EHTTP", "@_message": "EHTTP: HTTP 404" });
    expect(brokenCase.failure["#text"]).toContain("linked from 30 pages:");
    expect(brokenCase.failure["#text"]).toContain("… and 10 more");
  });

  it("lists the failed URLs in the step summary, grouped by code and status, with their referring pages", () => {
    expect(stepSummary).toContain(`#### Failed URLs (${failedOf(result.records).length})`);
    expect(stepSummary).toMatch(/\*\*`EHTTP` · HTTP 404\*\* \(\d+\)/);
    expect(stepSummary).toMatch(/\*\*`EFRAGMENT`\*\* \(2\)/);
    expect(stepSummary).toMatch(/\*\*`EHTTP` · HTTP 429\*\* \(1\)/);
    const line = stepSummary.split("\n").find((each) => each.startsWith(`- <${site.url}/broken>`)) as string;
    expect(line).toMatch(/ linked from 30 pages: (<http:\/\/127\.0\.0\.1:\d+\/p\/\d+>, ){19}<[^>]+>, … and 10 more$/);
    const fragment = stepSummary.split("\n").find((each) => each.startsWith(`- <${site.url}/docs#absent>`));
    expect(fragment).toBe(`- <${site.url}/docs#absent> linked from 1 page: <${site.url}/>`);
  });

  it("annotates each failed URL with its first referring page", () => {
    const lines = errorLines(result.stderr);
    expect(lines).toHaveLength(failedOf(result.records).length);
    const line = lines.find((each) => each.includes(`::${site.url}/broken: `)) as string;
    expect(line).toMatch(
      new RegExp(`^::error title=trawl EHTTP::${site.url}/broken: HTTP 404, linked from ${site.url}/p/\\d+ and 29 more pages$`),
    );
    expect(lines.find((each) => each.includes("/docs#absent"))).toMatch(
      /^::error title=trawl EFRAGMENT::.*, linked from http:\/\/127\.0\.0\.1:\d+\/$/,
    );
  });
});

describe("--check-links (external only): HEAD, then GET; politeness; --accept; --exclude", () => {
  let result: CliResult;
  beforeAll(async () => {
    site.resetStats();
    external.resetStats();
    result = await runCli(
      [
        "--crawl",
        "--depth",
        "1",
        "--check-links",
        "--robots",
        "--accept",
        "200-299,429",
        "-r",
        "2",
        "--retry-delay",
        "10ms",
        "--per-host",
        "2",
        "-c",
        "8",
        "--exclude",
        "skip-me",
        `${site.url}/`,
      ],
      { timeoutMs: 30_000 },
    );
  }, 40_000);

  it("asks HEAD, and GET only where HEAD is refused (405)", () => {
    expect(result.code, result.stderr).toBe(1);
    expect(recordFor(result, `${external.url}/ok`)).toMatchObject({ ok: true, status: 200, attempts: 1, bytes: 0 });
    expect(methodsFor(external, "/ok")).toEqual(["HEAD"]);
    expect(recordFor(result, `${external.url}/nohead`)).toMatchObject({ ok: true, status: 200, attempts: 2 });
    expect(methodsFor(external, "/nohead")).toEqual(["HEAD", "GET"]);
    expect(recordFor(result, `${external.url}/gone`)).toMatchObject({
      ok: false,
      status: 404,
      error: { code: "EHTTP" },
      linkedFrom: { urls: [`${site.url}/`], more: 0 },
    });
    expect(methodsFor(external, "/not-followed")).toEqual([]);
  });

  it("takes a 429 as ok with --accept 429: one request, no retry", () => {
    expect(recordFor(result, `${external.url}/busy`)).toMatchObject({ ok: true, status: 429, attempts: 1, error: null });
    expect(methodsFor(external, "/busy")).toEqual(["HEAD"]);
  });

  it("obeys --exclude, robots.txt and --per-host for checked links as for pages", () => {
    expect(result.records.some((record) => record.url.includes("skip-me"))).toBe(false);
    expect(methodsFor(external, "/skip-me")).toEqual([]);
    expect(recordFor(result, `${external.url}/private/page`)).toMatchObject({ ok: false, attempts: 0, error: { code: "EROBOTS" } });
    expect(methodsFor(external, "/robots.txt")).toEqual(["GET"]);
    for (let i = 0; i < 6; i++) expect(recordFor(result, `${external.url}/many/${i}`).ok).toBe(true);
    expect(external.maxConcurrent).toBeLessThanOrEqual(2);
  });

  it("checks no resource without `all`, and no fragment without --check-fragments", () => {
    expect(result.records.some((record) => /\.(png|js|css)$/.test(record.url))).toBe(false);
    expect(result.records.some((record) => record.url.includes("#"))).toBe(false);
  });
});

describe("--check-fragments alone", () => {
  it("fetches a page out of scope that a fragment link points into (GET, not followed), and no other", async () => {
    external.resetStats();
    const result = await runCli(["--crawl", "--check-fragments", "-r", "0", `${site.url}/outbound`]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.records.map((record) => record.url).sort()).toEqual(
      [`${site.url}/outbound`, `${external.url}/ok`, `${external.url}/ok#nope`].sort(),
    );
    expect(recordFor(result, `${external.url}/ok`)).toMatchObject({ ok: true, status: 200, depth: 1, title: null });
    expect(recordFor(result, `${external.url}/ok#nope`)).toMatchObject({
      error: { code: "EFRAGMENT" },
      linkedFrom: { urls: [`${site.url}/outbound`], more: 0 },
    });
    expect(methodsFor(external, "/ok")).toEqual(["GET"]);
    expect(methodsFor(external, "/gone")).toEqual([]);
    expect(methodsFor(external, "/not-followed")).toEqual([]);
  });
});

describe("link checks while following chosen links (--follow, a recipe)", () => {
  const expectChecked = (result: CliResult) => {
    expect(result.code, result.stderr).toBe(1);
    expect(result.records.map((record) => [record.url, record.ok, record.error?.code ?? null]).sort()).toEqual(
      [
        [`${site.url}/chosen`, true, null],
        [`${site.url}/docs`, true, null],
        [`${external.url}/ok`, true, null],
        [`${external.url}/gone`, false, "EHTTP"],
        [`${external.url}/ok#nope`, false, "EFRAGMENT"],
        [`${site.url}/chosen#absent`, false, "EFRAGMENT"],
      ].sort(),
    );
    for (const record of failedOf(result.records)) expect(record.linkedFrom, record.url).toEqual({ urls: [`${site.url}/chosen`], more: 0 });
  };

  it("--follow: the links out of scope and the fragments of every page read are checked; in-scope links not chosen are not fetched", async () => {
    site.resetStats();
    const result = await runCli(["--follow", "a.next", "--check-links", "--check-fragments", "-r", "0", `${site.url}/chosen`]);
    expectChecked(result);
    expect(requestsOf(site, "/broken")).toBe(0);
  });

  it("a recipe: the same checks, whatever the kind of page", async () => {
    const recipe = join(dir, "checked-recipe.json");
    writeFileSync(recipe, JSON.stringify({ start: [`${site.url}/chosen`], pages: { list: { follow: { doc: "a.next" } }, doc: {} } }));
    expectChecked(await runCli(["--recipe", recipe, "--check-links", "--check-fragments", "-r", "0"]));
  });
});

describe("--fail-on decides the exit status; the summary JSON says what was accepted and what fails", () => {
  const small = () => `${site.url}/small`;
  const run = (args: string[]) => runCli(["--crawl", "--check-fragments", "-r", "0", ...args, small()]);

  it("exits 1 when a failure's code is in --fail-on", async () => {
    const result = await run(["--fail-on", "EFRAGMENT"]);
    expect(result.code, result.stderr).toBe(1);
    expect(
      failedOf(result.records)
        .map((record) => record.error?.code)
        .sort(),
    ).toEqual(["EFRAGMENT", "EHTTP"]);
  });

  it("exits 0 when no failure's code is in --fail-on, and says so", async () => {
    const summaryFile = join(dir, "summary.json");
    const result = await run(["--fail-on", "ETIMEOUT,ECONNREFUSED", "--accept", "200-299,403", "--summary", summaryFile]);
    expect(result.code, result.stderr).toBe(0);
    expect(failedOf(result.records)).toHaveLength(2);
    expect(result.stderr).toMatch(/2 of 2 failures are not in --fail-on \(ETIMEOUT,ECONNREFUSED\): reported, not fatal/);
    const summary = JSON.parse(readFileSync(summaryFile, "utf8"));
    expect(summary).toMatchObject({ failed: 2, accept: ["200-299", "403"], failOn: ["ETIMEOUT", "ECONNREFUSED"], fatal: 0 });
  });

  it("without --fail-on every failure counts; the summary JSON says failOn null", async () => {
    const summaryFile = join(dir, "summary-all.json");
    const result = await run(["--summary", summaryFile]);
    expect(result.code).toBe(1);
    expect(JSON.parse(readFileSync(summaryFile, "utf8"))).toMatchObject({ accept: ["200-299"], failOn: null, fatal: 2 });
  });

  it("failures outside --fail-on are ::warning annotations and JUnit skipped", async () => {
    const stepFile = join(dir, "warn.md");
    const junitFile = join(dir, "warn.xml");
    writeFileSync(stepFile, "");
    const result = await runCli(["--crawl", "--check-fragments", "-r", "0", "--fail-on", "EHTTP", "--junit", junitFile, small()], {
      env: { GITHUB_STEP_SUMMARY: stepFile },
    });
    expect(result.code).toBe(1);
    const lines = errorLines(result.stderr);
    expect(lines[0]).toMatch(/^::error title=trawl EHTTP::/);
    expect(lines[1]).toMatch(/^::warning title=trawl EFRAGMENT::/);
    expect(readFileSync(stepFile, "utf8")).toMatch(/\*\*`EFRAGMENT`\*\* \(1\) · not in --fail-on/);
    const document = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_" }).parse(readFileSync(junitFile, "utf8"));
    expect(document.testsuites.testsuite).toMatchObject({ "@_failures": "1", "@_skipped": "1" });
  });

  it("refuses an unwritable --junit before anything is fetched (exit 2, naming --junit)", async () => {
    site.resetStats();
    const result = await runCli(["--crawl", "--junit", join(dir, "no-such-dir", "x.xml"), small()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^trawl: --junit .*no-such-dir.*: cannot write it \(ENOENT\)/);
    expect(result.stdout).toBe("");
    expect(site.requests).toBe(0);
  });
});
