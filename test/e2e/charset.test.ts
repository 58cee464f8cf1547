/**
 * Text decoding (SPEC §2): the charset of Content-Type, else the BOM or <meta charset>, else UTF-8;
 * an unknown label falls back to UTF-8. Pages are built from raw bytes so that only a correct
 * decode yields the expected strings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCli } from "../helpers/cli.js";
import { recordFor } from "../helpers/records.js";
import { type HttpTestServer, httpServer, routes, sendHtml } from "../helpers/servers.js";

const RUSSIAN = "Привет, мир";
const JAPANESE = "日本語のページ";
const FRENCH = "Café ☕ déjà";
let server: HttpTestServer;

/** windows-1251 maps А..я (U+0410..U+044F) onto 0xC0..0xFF; ASCII is unchanged. */
function windows1251(text: string): Buffer {
  return Buffer.from(
    [...text].map((char) => {
      const code = char.codePointAt(0)!;
      if (code >= 0x410 && code <= 0x44f) return code - 0x410 + 0xc0;
      if (code < 0x80) return code;
      throw new Error(`no windows-1251 byte for ${char} in this helper`);
    }),
  );
}

const ascii = (text: string) => Buffer.from(text, "latin1");
const utf8Body = (head: string) => `<!doctype html><html><head>${head}<title>${FRENCH}</title></head><body></body></html>`;

beforeAll(async () => {
  const cyrillicPage = (head: string) =>
    Buffer.concat([
      ascii(`<!doctype html><html><head>${head}<title>`),
      windows1251(RUSSIAN),
      ascii("</title></head><body><h1>"),
      windows1251(RUSSIAN),
      ascii("</h1></body></html>"),
    ]);
  // "日本語のページ" in Shift_JIS, declared only by <meta charset> (Content-Type has no charset).
  const shiftJis = Buffer.concat([
    ascii('<!doctype html><html><head><meta charset="Shift_JIS"><title>'),
    Buffer.from("93fa967b8cea82cc8379815b8357", "hex"),
    ascii("</title></head><body></body></html>"),
  ]);
  server = await httpServer(
    routes({
      "/cp1251": (_req, res) => sendHtml(res, cyrillicPage(""), 200, { "content-type": "text/html; charset=windows-1251" }),
      "/cp1251-lying-meta": (_req, res) =>
        sendHtml(res, cyrillicPage('<meta charset="utf-8">'), 200, { "content-type": "text/html; charset=windows-1251" }),
      "/sjis-meta": (_req, res) => sendHtml(res, shiftJis, 200, { "content-type": "text/html" }),
      "/utf8-bom": (_req, res) =>
        sendHtml(res, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(utf8Body(""))]), 200, {
          "content-type": "text/html",
        }),
      "/utf8-bom-lying-meta": (_req, res) =>
        sendHtml(res, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(utf8Body('<meta charset="windows-1252">'))]), 200, {
          "content-type": "text/html",
        }),
      "/utf16-bom": (_req, res) =>
        sendHtml(res, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(utf8Body(""), "utf16le")]), 200, {
          "content-type": "text/html",
        }),
      "/unknown-label": (_req, res) =>
        sendHtml(res, Buffer.from(utf8Body("")), 200, { "content-type": "text/html; charset=x-no-such-charset" }),
    }),
  );
});
afterAll(() => server.close());

let result: CliResult;
beforeAll(async () => {
  // One run over every page; each test reads its own record.
  const paths = ["cp1251", "cp1251-lying-meta", "sjis-meta", "utf8-bom", "utf8-bom-lying-meta", "utf16-bom", "unknown-label"];
  result = await runCli([...paths.map((path) => `${server.url}/${path}`), "-s", "heading=h1"]);
});

/** The run's record for a page of the server. */
const pageRecord = (path: string) => recordFor(result, `${server.url}/${path}`);

describe("charset decoding", () => {
  it("never fails a URL over its charset: every record ok, exit 0", () => {
    expect(result.records).toHaveLength(7);
    expect(result.records.filter((record) => !record.ok)).toEqual([]);
    expect(result.code).toBe(0);
  });

  it("decodes windows-1251 declared in Content-Type (title and selected text)", () => {
    expect(pageRecord("cp1251")).toMatchObject({ title: RUSSIAN, data: { heading: RUSSIAN } });
  });

  it("lets the Content-Type charset win over a contradicting <meta charset>", () => {
    expect(pageRecord("cp1251-lying-meta")).toMatchObject({ title: RUSSIAN, data: { heading: RUSSIAN } });
  });

  it("decodes Shift_JIS declared only by <meta charset>", () => {
    expect(pageRecord("sjis-meta")).toMatchObject({ title: JAPANESE });
  });

  it("decodes a page with a UTF-8 BOM and no charset", () => {
    // UTF-8 is also the fallback, so this mainly guards against the BOM breaking the parse; the
    // two tests below are the ones that fail without BOM sniffing.
    expect(pageRecord("utf8-bom")).toMatchObject({ title: FRENCH, bytes: 3 + Buffer.byteLength(utf8Body("")) });
  });

  it("lets a UTF-8 BOM win over a contradicting <meta charset> (WHATWG encoding sniffing)", () => {
    // Decoded as windows-1252 the title would read "CafÃ© â˜• dÃ©jÃ ".
    expect(pageRecord("utf8-bom-lying-meta")).toMatchObject({ title: FRENCH });
  });

  it("decodes a UTF-16LE page identified only by its BOM", () => {
    expect(pageRecord("utf16-bom")).toMatchObject({ title: FRENCH });
  });

  it("falls back to UTF-8 for an unknown charset label instead of failing", () => {
    expect(pageRecord("unknown-label")).toMatchObject({
      ok: true,
      error: null,
      title: FRENCH,
      contentType: "text/html; charset=x-no-such-charset",
    });
  });
});
