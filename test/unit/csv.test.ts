import { describe, expect, it } from "vitest";
import { CSV_COLUMNS, csvField, csvFormat } from "../../src/cli/formats/csv.js";
import { jsonFormat } from "../../src/cli/formats/json.js";
import { ndjsonFormat } from "../../src/cli/formats/ndjson.js";
import type { RecordFormat } from "../../src/cli/formats/format.js";
import type { TrawlRecord } from "../../src/record.js";
import { parseCsv } from "../helpers/csv.js";
import { RECORD_KEYS } from "../helpers/records.js";

function record(overrides: Partial<TrawlRecord> = {}): TrawlRecord {
  return {
    url: "https://example.com/",
    finalUrl: "https://example.com/",
    status: 200,
    ok: true,
    attempts: 1,
    ms: 132,
    bytes: 1256,
    contentType: "text/html; charset=UTF-8",
    title: "Example Domain",
    data: {},
    error: null,
    ...overrides,
  };
}

/** Writes every record through a format, as the output layer does. */
function render(format: RecordFormat, records: TrawlRecord[]): string {
  return format.begin() + records.map((r, i) => format.record(r, i)).join("") + format.end(records.length);
}

describe("csvField", () => {
  it("leaves plain values alone", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField(200)).toBe("200");
    expect(csvField(true)).toBe("true");
    expect(csvField(false)).toBe("false");
    expect(csvField(null)).toBe("");
    expect(csvField("")).toBe("");
  });

  it("quotes a field with a comma", () => {
    expect(csvField("a,b")).toBe('"a,b"');
  });

  it("quotes a field with a quote and doubles the quote", () => {
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
  });

  it("quotes a field with CR or LF", () => {
    expect(csvField("line1\nline2")).toBe('"line1\nline2"');
    expect(csvField("line1\rline2")).toBe('"line1\rline2"');
    expect(csvField("a\r\nb")).toBe('"a\r\nb"');
  });
});

describe("csvFormat", () => {
  it("writes the SPEC's columns then one per select field, CRLF-terminated", () => {
    expect(CSV_COLUMNS).toEqual(["url", "finalUrl", "status", "ok", "attempts", "ms", "bytes", "contentType", "title", "error"]);
    expect(csvFormat(["h1", "links"]).begin()).toBe("url,finalUrl,status,ok,attempts,ms,bytes,contentType,title,error,h1,links\r\n");
    expect(csvFormat([]).begin()).toBe("url,finalUrl,status,ok,attempts,ms,bytes,contentType,title,error\r\n");
  });

  it("writes a record's values in column order", () => {
    const text = csvFormat([]).record(record(), 0);
    expect(text).toBe("https://example.com/,https://example.com/,200,true,1,132,1256,text/html; charset=UTF-8,Example Domain,\r\n");
  });

  it("round-trips awkward values through an RFC 4180 reader", () => {
    const awkward = record({
      title: 'A "quoted", comma\r\nand newline title',
      data: { h1: "x,y", links: ["https://a.test/?q=1,2", 'say "hi"'], missing: null },
    });
    const rows = parseCsv(render(csvFormat(["h1", "links", "missing", "absent"]), [awkward]));
    expect(rows).toHaveLength(2);
    const [header, row] = rows as [string[], string[]];
    expect(header).toHaveLength(14);
    expect(row).toHaveLength(14);
    const cell = (name: string) => row[header.indexOf(name)];
    expect(cell("title")).toBe('A "quoted", comma\r\nand newline title');
    expect(cell("h1")).toBe("x,y");
    expect(JSON.parse(cell("links") as string)).toEqual(["https://a.test/?q=1,2", 'say "hi"']);
    expect(cell("missing")).toBe("");
    expect(cell("absent")).toBe("");
  });

  it("writes arrays as JSON text", () => {
    const text = csvFormat(["tags"]).record(record({ data: { tags: ["a", "b"] } }), 0);
    expect(text.endsWith(',"[""a"",""b""]"\r\n')).toBe(true);
    expect(
      csvFormat(["tags"])
        .record(record({ data: { tags: [] } }), 0)
        .endsWith(",[]\r\n"),
    ).toBe(true);
  });

  it("puts the error code, not the message, in the error column, and empty cells for nulls", () => {
    const failed = record({
      finalUrl: null,
      status: null,
      ok: false,
      attempts: 3,
      bytes: 0,
      contentType: null,
      title: null,
      error: { code: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:1, and more" },
    });
    const [, row] = parseCsv(render(csvFormat([]), [failed])) as [string[], string[]];
    expect(row).toEqual(["https://example.com/", "", "", "false", "3", "132", "0", "", "", "ECONNREFUSED"]);
  });
});

describe("jsonFormat", () => {
  it.each([0, 1, 3])("writes %d records as one parseable JSON array", (count) => {
    const records = Array.from({ length: count }, (_, i) => record({ url: `https://example.com/${i}`, data: { n: String(i) } }));
    const text = render(jsonFormat(), records);
    expect(JSON.parse(text)).toEqual(records);
    expect(text.endsWith("\n")).toBe(true);
  });

  it("puts one record per line inside the array", () => {
    const text = render(jsonFormat(), [record(), record({ url: "https://example.com/2" })]);
    expect(text.split("\n")).toHaveLength(5);
  });
});

describe("ndjsonFormat", () => {
  it("writes one JSON object per line, with the record's key order", () => {
    const records = [record(), record({ url: "https://example.com/2", ok: false, error: { code: "EHTTP", message: "HTTP 404" } })];
    const text = render(ndjsonFormat(), records);
    const lines = text.split("\n");
    expect(lines.at(-1)).toBe("");
    expect(lines.slice(0, -1).map((line) => JSON.parse(line))).toEqual(records);
    expect(Object.keys(JSON.parse(lines[0] as string))).toEqual(RECORD_KEYS);
  });

  it("writes nothing for no records", () => {
    expect(render(ndjsonFormat(), [])).toBe("");
  });

  it("keeps a record with newlines in its values on one line", () => {
    const text = ndjsonFormat().record(record({ title: "two\nlines\u2028sep" }), 0);
    expect(text.indexOf("\n")).toBe(text.length - 1);
  });
});
