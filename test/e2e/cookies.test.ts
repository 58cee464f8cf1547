/**
 * Cookies (SPEC §2): a run keeps a jar, as browsers and Scrapy do. A cookie a response sets (a redirect
 * or an error page too) goes back on the redirects that follow and on later URLs of the same site, never
 * to another; `--no-cookies` turns that off; `--cookies <file>` starts the jar from curl's cookies.txt.
 * A site is RFC 6265's: the host, whatever the port (127.0.0.1 and 127.0.0.2 are two sites, two ports
 * of 127.0.0.1 are one). Every run below uses -c 1: the URLs of one host:port go one after another in
 * input order (the pool keeps no order across hosts, so a visit to another one is a redirect here).
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IncomingMessage } from "node:http";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, it } from "vitest";
import { trawl, UsageError } from "../../dist/index.js";
import { binPath, cliEnv, collect, runCli, sharedRun, type TrawlRecord } from "../helpers/cli.js";
import { type HttpTestServer, httpServer, httpsServer, page, redirect, routes, sendHtml, sleep } from "../helpers/servers.js";

const TIMEOUT = 20_000;
// Each page's title is the Cookie header it was sent ("none" without one): the record says what went.
const echo = (req: IncomingMessage, res: Parameters<typeof sendHtml>[0]) => sendHtml(res, page(req.headers.cookie ?? "none"));

let site: HttpTestServer; // 127.0.0.1
let samePort: HttpTestServer; // 127.0.0.1 on another port: the same site
let other: HttpTestServer; // 127.0.0.2: another site
let secure: HttpTestServer; // https on 127.0.0.1
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "trawl-cookies-e2e-"));
  other = await httpServer(
    routes({
      "/bounce": (_req, res) => {
        res.setHeader("set-cookie", "theirs=2");
        redirect(res, "/hopped");
      },
      "/*": echo,
    }),
    { host: "127.0.0.2" },
  );
  samePort = await httpServer(routes({ "/*": echo }));
  secure = await httpsServer(
    routes({
      "/set": (_req, res) => {
        res.setHeader("set-cookie", ["s=1; Secure; Path=/", "p=1; Path=/"]);
        sendHtml(res, page("set"));
      },
      "/to-plain": (_req, res) => redirect(res, `${site.url}/plain`),
      "/to-set-secure": (_req, res) => redirect(res, `${site.url}/set-secure`),
      "/*": echo,
    }),
  );
  site = await httpServer(
    routes({
      // A consent wall: without the cookie every page sends you to /consent, which sets it and sends you back.
      "/article": (req, res) =>
        /(^|; )consent=yes(;|$)/.test(req.headers.cookie ?? "") ? sendHtml(res, page("Article")) : redirect(res, "/consent"),
      "/consent": (_req, res) => {
        res.setHeader("set-cookie", "consent=yes; Path=/");
        redirect(res, "/article");
      },
      // An error page's cookie counts too.
      "/login": (_req, res) =>
        sendHtml(res, page("Forbidden"), 403, {
          "set-cookie": "session=abc; Path=/; HttpOnly",
        }),
      // Sets a cookie on the way out to another site.
      "/away": (_req, res) => {
        res.setHeader("set-cookie", "hop=1; Path=/");
        redirect(res, `${other.url}/landed`);
      },
      "/to-port": (_req, res) => redirect(res, `${samePort.url}/port`),
      "/hop-out": (_req, res) => redirect(res, `${other.url}/bounce`),
      "/set-pair": (_req, res) => {
        res.setHeader("set-cookie", ["consent=jar; Path=/", "session=abc; Path=/"]);
        sendHtml(res, page("set"));
      },
      "/set-secure": (_req, res) => {
        res.setHeader("set-cookie", "t=1; Secure; Path=/");
        redirect(res, `${secure.url}/no-t`);
      },
      "/app/set": (_req, res) => {
        res.setHeader("set-cookie", [
          "a=1; Path=/app",
          "d=1",
          "keep=1; Path=/",
          "del=1; Path=/",
          "brief=1; Path=/; Max-Age=2",
          "dead=1; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        ]);
        sendHtml(res, page("set"));
      },
      "/delete": (_req, res) =>
        sendHtml(res, page("deleted"), 200, {
          "set-cookie": "del=; Path=/; Max-Age=0",
        }),
      // Long enough for a Max-Age=2 cookie to run out, though it is sent on the way.
      "/wait": async (req, res) => {
        await sleep(2200);
        echo(req, res);
      },
      "/*": echo,
    }),
  );
});
afterAll(async () => {
  await Promise.all([site?.close(), samePort?.close(), other?.close(), secure?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const titles = (records: TrawlRecord[]) =>
  Object.fromEntries(records.map((record) => [record.url.replace(/^https?:\/\/[^/]+/, ""), record.title]));

describe("the jar of a run (default)", () => {
  const run = sharedRun(() =>
    runCli([
      "-q",
      "-c",
      "1",
      "-r",
      "0",
      `${site.url}/article`,
      `${site.url}/login`,
      `${site.url}/later`,
      `${site.url}/to-port`,
      `${site.url}/away`,
    ]),
  );

  it("passes a consent page that sets a cookie and redirects back", {
    timeout: TIMEOUT,
  }, async ({ expect }) => {
    const [article] = (await run()).records;
    expect(article).toMatchObject({
      ok: true,
      status: 200,
      title: "Article",
      finalUrl: `${site.url}/article`,
    });
    const hops = site.log.filter((request) => request.url === "/article" || request.url === "/consent");
    expect(hops.map((request) => [request.url, request.headers.cookie])).toEqual([
      ["/article", undefined],
      ["/consent", undefined],
      ["/article", "consent=yes"],
    ]);
  });

  it("sends the cookies of earlier answers (a 403's too) to later URLs of the site, on any port", {
    timeout: TIMEOUT,
  }, async ({ expect }) => {
    const result = await run();
    expect(result.records.find((record) => record.url.endsWith("/login"))).toMatchObject({ status: 403, ok: false });
    expect(titles(result.records)).toMatchObject({
      "/later": "consent=yes; session=abc",
      "/to-port": "consent=yes; session=abc",
    });
    expect(samePort.log.map((request) => request.headers.cookie)).toEqual(["consent=yes; session=abc"]);
  });

  it("never sends them to another site, not even on a redirect that set one", {
    timeout: TIMEOUT,
  }, async ({ expect }) => {
    const result = await run();
    expect(titles(result.records)).toMatchObject({ "/away": "none" });
    expect(other.log.map((request) => request.url)).toEqual(["/landed"]);
    expect(result.records.find((record) => record.url.endsWith("/away"))?.finalUrl).toBe(`${other.url}/landed`);
    for (const request of other.log) expect(request.headers.cookie, request.url).toBeUndefined();
  });
});

describe("--no-cookies", () => {
  it("keeps no jar: the consent page loops until the redirect limit, nothing is sent back", {
    timeout: TIMEOUT,
  }, async ({ expect }) => {
    site.resetStats();
    const result = await runCli([
      "-q",
      "-c",
      "1",
      "-r",
      "0",
      "--max-redirects",
      "4",
      "--no-cookies",
      `${site.url}/article`,
      `${site.url}/login`,
      `${site.url}/later`,
    ]);
    expect(result.code).toBe(1);
    const [article, , later] = result.records;
    expect(article).toMatchObject({
      ok: false,
      error: { code: "ETOOMANYREDIRECTS" },
    });
    expect(later).toMatchObject({ ok: true, title: "none" });
    for (const request of site.log) expect(request.headers.cookie, request.url).toBeUndefined();
  });
});

/** The Cookie header each URL of a run was sent, as a sorted list, by the URL's path. */
function cookiesBy(run: () => Promise<{ records: TrawlRecord[] }>) {
  return async (path: string) => {
    const title = titles((await run()).records)[path];
    return title === "none" ? [] : String(title).split("; ").sort();
  };
}

describe("Secure", () => {
  // One https host:port, so in order; the http visits are redirects to the same host's other port.
  const run = sharedRun(() =>
    runCli([
      "-q",
      "-c",
      "1",
      "-r",
      "0",
      "--insecure",
      `${secure.url}/set`,
      `${secure.url}/both`,
      `${secure.url}/to-plain`,
      `${secure.url}/to-set-secure`,
    ]),
  );
  const cookiesAt = cookiesBy(run);

  it("goes over https only, and a Secure cookie set over http is refused", {
    timeout: TIMEOUT,
  }, async ({ expect }) => {
    expect(await cookiesAt("/both")).toEqual(["p=1", "s=1"]);
    // /to-plain lands on http://127.0.0.1: p only.
    expect(await cookiesAt("/to-plain")).toEqual(["p=1"]);
    // /to-set-secure lands on http, which sets t; Secure, then back on https: no t.
    expect(await cookiesAt("/to-set-secure")).toEqual(["p=1", "s=1"]);
    expect(site.log.filter((request) => request.url === "/set-secure").map((request) => request.headers.cookie)).toEqual(["p=1"]);
  });
});

describe("paths and expiry", () => {
  const run = sharedRun(() =>
    runCli([
      "-q",
      "-c",
      "1",
      "-r",
      "0",
      ...["/app/set", "/app/page", "/application", "/delete", "/wait", "/app/late"].map((path) => `${site.url}${path}`),
    ]),
  );
  const cookiesAt = cookiesBy(run);

  it("scopes a cookie to its path, on segment boundaries", {
    timeout: TIMEOUT,
  }, async ({ expect }) => {
    expect(await cookiesAt("/app/page")).toEqual(["a=1", "brief=1", "d=1", "del=1", "keep=1"]);
    expect(await cookiesAt("/application")).toEqual(["brief=1", "del=1", "keep=1"]);
  });

  it("never sends an expired cookie: born expired, deleted by Max-Age=0, or run out", {
    timeout: TIMEOUT,
  }, async ({ expect }) => {
    // brief (Max-Age=2) was sent on /wait's request, then ran out while /wait answered.
    expect(await cookiesAt("/wait")).toEqual(["brief=1", "keep=1"]);
    expect(await cookiesAt("/app/late")).toEqual(["a=1", "d=1", "keep=1"]);
  });
});

describe("a Cookie given with -H", () => {
  it("goes with the jar's in one header, and is still dropped on a redirect to another site", {
    timeout: TIMEOUT,
  }, async ({ expect }) => {
    other.resetStats();
    site.resetStats();
    const result = await runCli([
      "-q",
      "-c",
      "1",
      "-H",
      "Cookie: user=1; consent=mine",
      `${site.url}/set-pair`,
      `${site.url}/mine`,
      `${site.url}/hop-out`,
    ]);
    // The user's value of a name wins over the jar's (consent), the jar adds the rest (session).
    expect(titles(result.records)).toMatchObject({
      "/mine": "user=1; consent=mine; session=abc",
      "/hop-out": "theirs=2",
    });
    expect(site.log.find((request) => request.url === "/hop-out")?.headers.cookie).toBe("user=1; consent=mine; session=abc");
    // Past the other site's door, neither the user's Cookie nor the first site's jar: only its own cookie.
    expect(other.log.map((request) => [request.url, request.headers.cookie])).toEqual([
      ["/bounce", undefined],
      ["/hopped", "theirs=2"],
    ]);
  });
});

describe("--cookies <file>", () => {
  it("starts the jar with a cookies.txt and sends the cookies that match each URL", {
    timeout: TIMEOUT,
  }, async ({ expect }) => {
    const future = Math.floor(Date.now() / 1000) + 3600;
    const file = join(dir, "cookies.txt");
    writeFileSync(
      file,
      [
        "# Netscape HTTP Cookie File",
        "# This file was generated by libcurl! Edit at your own risk.",
        "",
        `127.0.0.1\tFALSE\t/\tFALSE\t${future}\tsid\tfrom-file`,
        `#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tho\t1`,
        `127.0.0.1\tFALSE\t/private\tFALSE\t0\tpriv\t1`,
        `127.0.0.1\tFALSE\t/\tTRUE\t0\tsec\t1`,
        `127.0.0.1\tFALSE\t/\tFALSE\t1000\texpired\t1`,
        `127.0.0.2\tFALSE\t/\tFALSE\t0\telsewhere\t1`,
        "",
      ].join("\n"),
    );
    const result = await runCli(["-q", "-c", "1", "--cookies", file, `${site.url}/home`, `${site.url}/private/x`, `${other.url}/there`]);
    expect(result.code).toBe(0);
    expect(titles(result.records)).toEqual({
      "/home": "sid=from-file; ho=1",
      "/private/x": "priv=1; sid=from-file; ho=1",
      "/there": "elsewhere=1",
    });
  });

  it("reads the file once: a pipe (--cookies <(…)) works", { timeout: TIMEOUT }, async ({ expect }) => {
    // The flags were checked with one reading of the file and the run made with another: a second
    // open of a pipe waits for a writer that has gone (a named pipe), or reads nothing (<(…)).
    const fifo = join(dir, "cookies.fifo");
    execFileSync("mkfifo", [fifo]);
    const run = runCli(["-q", "--cookies", fifo, `${site.url}/home`], { timeoutMs: 10_000 });
    // Opening a pipe to write waits for its reader: trawl.
    await writeFile(fifo, `127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tpiped\n`);
    const result = await run;
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(0);
    expect(titles(result.records)).toEqual({ "/home": "sid=piped" });
  });

  it("a file that is not a cookies.txt is exit 2, one line naming --cookies, nothing fetched", {
    timeout: TIMEOUT,
  }, async ({ expect }) => {
    site.resetStats();
    const file = join(dir, "export.json");
    writeFileSync(file, '[{"name":"sid","value":"x"}]\n');
    for (const path of [file, join(dir, "missing.txt")]) {
      const result = await runCli(["--cookies", path, `${site.url}/home`]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^trawl: --cookies (is not a Netscape cookies\.txt|cannot be read): /);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(site.requests).toBe(0);
  });
});

describe("the library", () => {
  const all = async (urls: string[], options: Parameters<typeof trawl>[1]) => {
    const records = [];
    for await (const record of trawl(urls, {
      concurrency: 1,
      retries: 0,
      ...options,
    }))
      records.push(record);
    return records;
  };

  it("keeps a jar unless cookies: false", { timeout: TIMEOUT }, async ({ expect }) => {
    const urls = [`${site.url}/login`, `${site.url}/lib`];
    expect((await all(urls, {}))[1]?.title).toBe("session=abc");
    expect((await all(urls, { cookies: false }))[1]?.title).toBe("none");
  });

  it("reads cookieFile on entry: a bad one throws a UsageError naming cookieFile, before any request", {
    timeout: TIMEOUT,
  }, async ({ expect }) => {
    site.resetStats();
    const error = await all([`${site.url}/lib`], {
      cookieFile: join(dir, "none.txt"),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ option: "cookieFile" });
    expect(site.requests).toBe(0);
  });
});

describe("loading", () => {
  const trace = fileURLToPath(new URL("../helpers/trace-imports.mjs", import.meta.url));
  // Not spawnSync: the servers answer from this process.
  const loads = async (url: string) => {
    const result = await collect(
      spawn(process.execPath, ["--import", trace, binPath, "-q", url], {
        env: cliEnv(),
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    return /node_modules\/tough-cookie\//.test(result.stderr);
  };

  it("tough-cookie loads only once a response sets a cookie", {
    timeout: TIMEOUT,
  }, async ({ expect }) => {
    expect(await loads(`${site.url}/no-cookie-here`)).toBe(false);
    expect(await loads(`${site.url}/login`)).toBe(true);
  });
});
