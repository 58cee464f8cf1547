/**
 * --junit (SPEC §9): the report read back with a real XML parser, and held to the JUnit schema the
 * common reporters read (jenkinsci/xunit-plugin's junit-10.xsd): which elements go where, which
 * attributes each may and must have, the time format.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, describe, expect, it } from "vitest";
import { JunitReport, testCase, xmlEscape } from "../../src/cli/junit.js";
import type { ErrorCode } from "../../src/errors.js";
import type { TrawlRecord } from "../../src/record.js";
import { okRecord } from "../helpers/records.js";

const dir = mkdtempSync(join(tmpdir(), "trawl-junit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const record = (url: string, overrides: Partial<TrawlRecord> = {}): TrawlRecord => okRecord(url, { ms: 12, ...overrides });
const failure = (url: string, code: ErrorCode, message: string, overrides: Partial<TrawlRecord> = {}) =>
  record(url, { ok: false, status: 404, error: { code, message }, ...overrides });

/** junit-10.xsd, as data: each element's allowed children, allowed and required attributes. */
const SCHEMA: Record<string, { children: string[]; attributes: string[]; required: string[]; text?: boolean }> = {
  testsuites: { children: ["testsuite"], attributes: ["name", "time", "tests", "failures", "errors"], required: [] },
  testsuite: {
    children: ["testsuite", "properties", "testcase", "system-out", "system-err"],
    attributes: [
      "name",
      "tests",
      "failures",
      "errors",
      "group",
      "time",
      "skipped",
      "timestamp",
      "hostname",
      "id",
      "package",
      "file",
      "log",
      "url",
    ],
    required: ["name", "tests", "failures", "errors"],
  },
  testcase: {
    children: ["skipped", "error", "failure", "system-out", "system-err"],
    attributes: ["name", "time", "classname", "group"],
    required: ["name"],
  },
  failure: { children: [], attributes: ["type", "message"], required: [], text: true },
  skipped: { children: [], attributes: ["type", "message"], required: [], text: true },
};
const SUREFIRE_TIME = /^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?$/;

type Node = Record<string, unknown>;

/** Walks the parsed document (preserveOrder form) and fails on anything junit-10.xsd does not allow. */
function checkSchema(nodes: Node[], parent: string): void {
  for (const node of nodes) {
    const name = Object.keys(node).find((key) => key !== ":@") as string;
    if (name === "#text" || name === "?xml") continue;
    expect(SCHEMA[parent]?.children ?? ["testsuites"], `<${name}> inside <${parent}>`).toContain(name);
    const rule = SCHEMA[name];
    expect(rule, `<${name}> is in the schema`).toBeDefined();
    const attributes = (node[":@"] ?? {}) as Record<string, string>;
    for (const attribute of Object.keys(attributes)) expect(rule?.attributes, `${name}@${attribute}`).toContain(attribute.slice(2));
    for (const attribute of rule?.required ?? []) expect(attributes, `${name} needs @${attribute}`).toHaveProperty(`@_${attribute}`);
    if (attributes["@_time"] !== undefined) expect(attributes["@_time"]).toMatch(SUREFIRE_TIME);
    checkSchema(node[name] as Node[], name);
  }
}

async function report(records: TrawlRecord[], isFatal: (code: ErrorCode) => boolean = () => true, elapsedMs = 1234): Promise<string> {
  const file = join(dir, `report-${Math.random().toString(36).slice(2)}.xml`);
  const junit = await JunitReport.open(file, isFatal);
  for (const each of records) await junit.add(each);
  await junit.close(elapsedMs);
  return readFileSync(file, "utf8");
}

const parse = (xml: string) =>
  new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    htmlEntities: true,
  }).parse(xml);

describe("JUnit report", () => {
  const linkedFrom = { urls: Array.from({ length: 20 }, (_, i) => `https://site.test/p/${i}`), more: 10 };
  const records = [
    record("https://site.test/"),
    failure("https://site.test/broken", "EHTTP", "HTTP 404", { linkedFrom }),
    failure("https://site.test/page#gone", "EFRAGMENT", 'no element with id "gone"', {
      status: null,
      linkedFrom: { urls: ["https://site.test/"], more: 0 },
    }),
    failure("https://other.test/refused", "ECONNREFUSED", "connect ECONNREFUSED", { status: null, parent: "https://site.test/" }),
  ];

  it("is well-formed XML, and valid against junit-10.xsd", async () => {
    const xml = await report(records);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    const ordered = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_", preserveOrder: true }).parse(xml) as Node[];
    checkSchema(ordered, "#document");
  });

  it("has one test case per record with the counts, the time and the failures' code, message and linkedFrom", async () => {
    const document = parse(await report(records, () => true, 1234));
    const suites = document.testsuites;
    expect(suites).toMatchObject({ "@_name": "trawl", "@_tests": "4", "@_failures": "3", "@_errors": "0", "@_time": "1.234" });
    const suite = suites.testsuite;
    expect(suite).toMatchObject({ "@_tests": "4", "@_failures": "3", "@_skipped": "0", "@_time": "1.234" });
    expect(suite["@_timestamp"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    const cases = suite.testcase as Node[];
    expect(cases.map((each) => each["@_name"])).toEqual(records.map((each) => each.url));
    expect(cases[0]).toMatchObject({ "@_classname": "trawl", "@_time": "0.012" });
    expect(cases[0]).not.toHaveProperty("failure");
    const broken = cases[1]?.failure as Node;
    expect(broken).toMatchObject({ "@_type": "EHTTP", "@_message": "EHTTP: HTTP 404" });
    const text = broken["#text"] as string;
    expect(text).toContain("HTTP status: 404");
    expect(text).toContain("linked from 30 pages:");
    for (const url of linkedFrom.urls) expect(text.split("\n")).toContain(url);
    expect(text).toContain("… and 10 more");
    expect(cases[2]?.failure).toMatchObject({ "@_type": "EFRAGMENT", "@_message": 'EFRAGMENT: no element with id "gone"' });
    expect((cases[3] as Node).failure).toMatchObject({ "#text": expect.stringContaining("found on: https://site.test/") });
  });

  it("marks failures outside --fail-on as skipped, so a reporter agrees with the exit status", async () => {
    const document = parse(await report(records, (code) => code === "EHTTP"));
    expect(document.testsuites).toMatchObject({ "@_tests": "4", "@_failures": "1" });
    expect(document.testsuites.testsuite["@_skipped"]).toBe("2");
    const cases = document.testsuites.testsuite.testcase as Node[];
    expect(cases[1]).toHaveProperty("failure");
    expect(cases[2]).not.toHaveProperty("failure");
    expect(cases[2]?.skipped).toMatchObject({ "@_type": "EFRAGMENT" });
    expect((cases[2] as Node).skipped).toMatchObject({ "@_message": expect.stringMatching(/not in --fail-on/) });
  });

  it("escapes what XML must not hold raw: markup, quotes, control characters, lone surrogates", async () => {
    const nasty = 'bad line <a href="x">&amp;\u0000\u0007\u001b[31m\ud800 tab\tend';
    const xml = await report([failure(nasty, "EINVALIDURL", `not a URL: ${nasty}\r\nsecond line`, { status: null })]);
    expect(XMLValidator.validate(xml)).toBe(true);
    const testcase = parse(xml).testsuites.testsuite.testcase;
    expect(testcase["@_name"]).toBe('bad line <a href="x">&amp;\ufffd\ufffd\ufffd[31m\ufffd tab\tend');
    expect(testcase.failure["#text"]).toContain("second line");
    expect(xmlEscape("]]> ' \"")).toBe("]]&gt; &apos; &quot;");
  });

  it("writes a long run in pieces and still counts it right (20,000 test cases)", async () => {
    const many = Array.from({ length: 20_000 }, (_, i) =>
      i % 100 === 0 ? failure(`https://site.test/${i}`, "EHTTP", "HTTP 404") : record(`https://site.test/${i}`),
    );
    const xml = await report(many);
    const document = parse(xml);
    expect(document.testsuites).toMatchObject({ "@_tests": "20000", "@_failures": "200" });
    expect(document.testsuites.testsuite.testcase).toHaveLength(20_000);
  });

  it("an empty run is a valid report of no test cases", async () => {
    const xml = await report([]);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(parse(xml).testsuites).toMatchObject({ "@_tests": "0", "@_failures": "0" });
  });

  it("testCase: an ok record is an empty element", () => {
    expect(testCase(record("https://site.test/a"), true)).toBe('<testcase classname="trawl" name="https://site.test/a" time="0.012"/>\n');
  });
});
