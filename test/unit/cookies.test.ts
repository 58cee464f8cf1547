/** The cookie jar of a run (SPEC §2): RFC 6265 rules through tough-cookie, and what the policy adds around them. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { CookiePolicy, hostnameOf } from "../../src/http/cookies.js";
import type { FileCookie } from "../../src/http/cookie-file.js";
import { COOKIE_JAR_MAX_COOKIES } from "../../src/limits.js";

/** A policy with the given Set-Cookie values stored, once tough-cookie has loaded. */
async function jarWith(...sets: [url: string, setCookie: string | string[]][]): Promise<CookiePolicy> {
  const policy = new CookiePolicy();
  for (const [url, setCookie] of sets) policy.store(url, setCookie);
  await policy.loading;
  return policy;
}

/** The Cookie header a request to `url` carries, or undefined. */
const cookieFor = (policy: CookiePolicy, url: string, headers: Record<string, string> = {}) => policy.headersFor(url, headers).cookie;

afterEach(() => {
  vi.useRealTimers();
});

describe("hostnameOf", () => {
  it.each([
    ["http://example.com/", "example.com"],
    ["https://Example.COM:8443/a?b#c", "example.com"],
    ["http://user:pw@host.test:81/x", "host.test"],
    ["http://127.0.0.1:9999/path", "127.0.0.1"],
    ["http://[::1]:8080/", "::1"],
    ["http://a.test?q=1", "a.test"],
  ])("%s → %s", (url, host) => {
    expect(hostnameOf(url)).toBe(host);
  });
});

describe("a run that meets no cookie", () => {
  it("hands the request's own headers on, loads nothing and holds nothing", () => {
    const policy = new CookiePolicy();
    const headers = { "user-agent": "trawl" };
    expect(policy.headersFor("http://example.com/", headers)).toBe(headers);
    expect(policy.loading).toBeNull();
    expect(policy.size).toBe(0);
  });

  it("still hands the same object on for a host the jar has nothing for", async () => {
    const policy = await jarWith(["http://example.com/", "a=1"]);
    const headers = { accept: "*/*" };
    expect(policy.headersFor("http://example.org/", headers)).toBe(headers);
    expect(policy.headersFor("http://example.com/", headers)).toEqual({
      accept: "*/*",
      cookie: "a=1",
    });
  });
});

describe("sites (RFC 6265: hosts and domains, not ports)", () => {
  it("sends a host's cookie to that host on any port and scheme, never to another host", async () => {
    const policy = await jarWith(["http://127.0.0.1:8080/", "a=1"]);
    expect(cookieFor(policy, "http://127.0.0.1:9090/x")).toBe("a=1");
    expect(cookieFor(policy, "https://127.0.0.1/")).toBe("a=1");
    expect(cookieFor(policy, "http://127.0.0.2:8080/")).toBeUndefined();
    expect(cookieFor(policy, "http://localhost:8080/")).toBeUndefined();
  });

  it("keeps a cookie without Domain to its host: not the parent, not a sibling", async () => {
    const policy = await jarWith(["http://a.example.com/", "only=a"]);
    expect(cookieFor(policy, "http://a.example.com/")).toBe("only=a");
    expect(cookieFor(policy, "http://example.com/")).toBeUndefined();
    expect(cookieFor(policy, "http://b.example.com/")).toBeUndefined();
    expect(cookieFor(policy, "http://x.a.example.com/")).toBeUndefined();
  });

  it("sends a Domain cookie to that domain and its subdomains only", async () => {
    const policy = await jarWith(["http://www.example.com/", "d=1; Domain=.Example.com"]);
    for (const url of ["http://example.com/", "http://www.example.com/", "http://a.b.example.com/"])
      expect(cookieFor(policy, url), url).toBe("d=1");
    for (const url of ["http://notexample.com/", "http://example.com.evil.test/", "http://example.org/"]) {
      expect(cookieFor(policy, url), url).toBeUndefined();
    }
  });

  it("refuses a Domain that is another site or a public suffix", async () => {
    const policy = await jarWith(
      ["http://www.example.com/", "other=1; Domain=example.org"],
      ["http://www.example.com/", "tld=1; Domain=com"],
      ["http://shop.example.co.uk/", "suffix=1; Domain=co.uk"],
      ["http://127.0.0.1/", "ip=1; Domain=0.0.1"],
    );
    expect(policy.size).toBe(0);
    expect(cookieFor(policy, "http://example.org/")).toBeUndefined();
    expect(cookieFor(policy, "http://other.com/")).toBeUndefined();
    expect(cookieFor(policy, "http://bank.co.uk/")).toBeUndefined();
  });
});

describe("paths", () => {
  it("sends a cookie under its path only, on segment boundaries", async () => {
    const policy = await jarWith(["http://h.test/app/login", ["a=1; Path=/app", "root=1; Path=/", "d=1"]]);
    // d has no Path: its default is the directory of the URL that set it (/app).
    expect(cookieFor(policy, "http://h.test/app")).toBe("a=1; d=1; root=1");
    expect(cookieFor(policy, "http://h.test/app/deep/page")).toBe("a=1; d=1; root=1");
    expect(cookieFor(policy, "http://h.test/application")).toBe("root=1");
    expect(cookieFor(policy, "http://h.test/")).toBe("root=1");
  });
});

describe("Secure", () => {
  it("goes over https only, loopback included, and is refused when set over http", async () => {
    const policy = await jarWith(["https://127.0.0.1/", ["s=1; Secure", "p=1"]], ["http://127.0.0.1/", "t=1; Secure"]);
    expect(cookieFor(policy, "https://127.0.0.1/")).toBe("s=1; p=1");
    expect(cookieFor(policy, "http://127.0.0.1/")).toBe("p=1");
    expect(cookieFor(policy, "http://localhost/")).toBeUndefined();
  });
});

describe("expiry", () => {
  it("drops a cookie its server expires (Max-Age=0 or an Expires past), and never stores one born expired", async () => {
    const policy = await jarWith(
      ["http://h.test/", ["keep=1", "gone=1", "old=1", "late=1; Expires=Thu, 01 Jan 1970 00:00:01 GMT"]],
      ["http://h.test/", ["gone=; Max-Age=0", "old=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"]],
    );
    expect(cookieFor(policy, "http://h.test/")).toBe("keep=1");
    expect(policy.size).toBe(1);
  });

  it("counts Max-Age from when the cookie arrived, however often it is sent (RFC 6265 §5.2.2)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
    const policy = await jarWith(["http://h.test/", ["brief=1; Max-Age=2", "long=1; Max-Age=3600"]]);
    for (const seconds of [1, 1.9]) {
      vi.setSystemTime(new Date(Date.UTC(2030, 0, 1) + seconds * 1000));
      expect(cookieFor(policy, "http://h.test/"), `${seconds} s`).toBe("brief=1; long=1");
    }
    vi.setSystemTime(new Date(Date.UTC(2030, 0, 1) + 2100));
    expect(cookieFor(policy, "http://h.test/")).toBe("long=1");
  });

  it("honours Expires", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
    const policy = await jarWith(["http://h.test/", "e=1; Expires=Tue, 01 Jan 2030 00:00:05 GMT"]);
    expect(cookieFor(policy, "http://h.test/")).toBe("e=1");
    vi.setSystemTime(new Date("2030-01-01T00:00:06Z"));
    expect(cookieFor(policy, "http://h.test/")).toBeUndefined();
  });
});

describe("a Cookie the user gave (-H)", () => {
  it("comes first in the one Cookie header, and wins over the jar's cookie of the same name", async () => {
    const policy = await jarWith(["http://h.test/", ["shared=jar", "other=2"]]);
    const headers = { cookie: "user=1; shared=mine", accept: "*/*" };
    expect(policy.headersFor("http://h.test/", headers)).toEqual({
      cookie: "user=1; shared=mine; other=2",
      accept: "*/*",
    });
    // Nothing of the jar's to add: the headers go as they were.
    const only = { cookie: "shared=mine; other=mine" };
    expect(policy.headersFor("http://h.test/", only)).toBe(only);
  });
});

describe("what a server may send", () => {
  it("stores every value of a repeated Set-Cookie, and those that arrive while tough-cookie loads", async () => {
    const policy = new CookiePolicy();
    policy.store("http://h.test/", ["a=1", "b=2"]);
    policy.store("http://h.test/", "c=3");
    expect(policy.loading).not.toBeNull();
    await policy.loading;
    expect(policy.loading).toBeNull();
    expect(cookieFor(policy, "http://h.test/")).toBe("a=1; b=2; c=3");
  });

  it("ignores a cookie past 4096 bytes of name and value, and a value with no name is kept as browsers keep it", async () => {
    const policy = await jarWith(["http://h.test/", [`big=${"x".repeat(4096)}`, "token"]]);
    expect(cookieFor(policy, "http://h.test/")).toBe("token");
  });

  it("replacing a cookie keeps one of it", async () => {
    const policy = await jarWith(["http://h.test/", "a=1"], ["http://h.test/", "a=2"]);
    expect(cookieFor(policy, "http://h.test/")).toBe("a=2");
    expect(policy.size).toBe(1);
  });
});

describe("the jar's size", () => {
  it(`holds ${COOKIE_JAR_MAX_COOKIES} cookies at most: the least recently set goes first, index and all`, async () => {
    const policy = await jarWith(["http://h0.test/", "n=0"], ["http://keep.test/", "k=1"]);
    // Set again, keep.test's cookie is the most recent: h0.test's goes first.
    for (let index = 1; index <= COOKIE_JAR_MAX_COOKIES; index++) {
      policy.store(`http://h${index}.test/`, `n=${index}`);
      if (index === 1) policy.store("http://keep.test/", "k=2");
    }
    expect(policy.size).toBe(COOKIE_JAR_MAX_COOKIES);
    expect(cookieFor(policy, "http://h0.test/")).toBeUndefined();
    expect(cookieFor(policy, "http://h1.test/")).toBeUndefined();
    expect(cookieFor(policy, "http://keep.test/")).toBe("k=2");
    expect(cookieFor(policy, `http://h${COOKIE_JAR_MAX_COOKIES}.test/`)).toBe(`n=${COOKIE_JAR_MAX_COOKIES}`);
    // The evicted hosts leave no empty entry behind in tough-cookie's index: memory stays bounded.
    const index = (policy as unknown as { jar: { store: { idx: Record<string, unknown> } } }).jar.store.idx;
    expect(Object.keys(index)).toHaveLength(COOKIE_JAR_MAX_COOKIES);
    expect("h0.test" in index).toBe(false);
  });
});

describe("cookies from a file", () => {
  const file = (overrides: Partial<FileCookie>): FileCookie => ({
    domain: "127.0.0.1",
    includeSubdomains: false,
    path: "/",
    secure: false,
    expiresSeconds: 0,
    name: "n",
    value: "v",
    httpOnly: false,
    ...overrides,
  });

  it("start the jar: host-only or with subdomains, path, Secure and expiry as written", async () => {
    const future = Math.floor(Date.now() / 1000) + 3600;
    const policy = new CookiePolicy([
      file({ name: "host", domain: "example.com" }),
      file({
        name: "wide",
        domain: "example.com",
        includeSubdomains: true,
        expiresSeconds: future,
      }),
      file({ name: "priv", domain: "example.com", path: "/private" }),
      file({
        name: "sec",
        domain: "example.com",
        secure: true,
        httpOnly: true,
      }),
    ]);
    expect(policy.loading).not.toBeNull();
    await policy.loading;
    expect(cookieFor(policy, "http://example.com/")).toBe("host=v; wide=v");
    expect(cookieFor(policy, "https://example.com/private/x")).toBe("priv=v; host=v; wide=v; sec=v");
    expect(cookieFor(policy, "http://www.example.com/")).toBe("wide=v");
    expect(cookieFor(policy, "http://example.org/")).toBeUndefined();
  });
});
