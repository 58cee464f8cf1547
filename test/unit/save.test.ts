import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveBody, savePathFor } from "../../src/records/save-body.js";

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "trawl-save-"));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe("savePathFor", () => {
  it("is readable: host (and port when not the default), path folders, name, hash, extension", () => {
    expect(savePathFor("https://example.com/blog/post.html", "text/html")).toMatch(/^example\.com\/blog\/post~[0-9a-f]{12}\.html$/);
    expect(savePathFor("http://127.0.0.1:8080/", "text/html")).toMatch(/^127\.0\.0\.1_8080\/index~[0-9a-f]{12}\.html$/);
    expect(savePathFor("https://example.com/data", "application/json; charset=utf-8")).toMatch(/\/data~[0-9a-f]{12}\.json$/);
    expect(savePathFor("https://example.com/blob", null)).toMatch(/\.bin$/);
  });

  it("gives different URLs different files, even when they look alike", () => {
    const urls = [
      "https://example.com/a",
      "https://example.com/a/",
      "https://example.com/a?x=1",
      "https://example.com/a?x=2",
      "https://example.com/a%20b",
      "https://example.com/a_b",
      "https://example.com/A",
    ];
    const paths = urls.map((url) => savePathFor(url, "text/html"));
    expect(new Set(paths).size).toBe(urls.length);
  });

  it("keeps a file and a folder of the same name apart (/a and /a/b)", () => {
    const file = savePathFor("https://example.com/a", "text/html");
    const inFolder = savePathFor("https://example.com/a/b", "text/html");
    expect(path.dirname(inFolder)).toBe(path.join("example.com", "a"));
    expect(file).not.toBe(path.join("example.com", "a"));
  });

  it.each([
    "https://example.com/../../etc/passwd",
    "https://example.com/%2e%2e/%2e%2e/etc/passwd",
    "https://example.com/..%2f..%2fetc%2fpasswd",
    "https://example.com/..%5c..%5cetc%5cpasswd",
    "https://example.com/a\\..\\..\\b",
    "https://example.com/%00/x",
    "https://example.com/con/aux.html",
    `https://example.com/${"x".repeat(5000)}/${"y".repeat(5000)}`,
    `https://example.com/${"d/".repeat(200)}z`,
  ])("never leaves the folder and stays short: %s", (url) => {
    const relative = savePathFor(url, "text/html");
    const resolved = path.resolve("/save", relative);
    expect(resolved.startsWith("/save/example.com/")).toBe(true);
    for (const segment of relative.split(path.sep)) {
      expect(segment.length).toBeLessThanOrEqual(100);
      expect(segment).not.toMatch(/^\.\.?$/);
      expect(segment).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i);
    }
    expect(relative.split(path.sep).length).toBeLessThanOrEqual(20);
  });
});

describe("saveBody", () => {
  it("writes the bytes under the folder and returns the path", async () => {
    const file = await saveBody(folder, "https://example.com/x/y.html", "text/html", Buffer.from("<p>hi</p>"));
    expect(file.startsWith(folder)).toBe(true);
    expect(await readFile(file, "utf8")).toBe("<p>hi</p>");
  });

  it("stores /a and /a/b side by side without an error", async () => {
    await saveBody(folder, "https://side.example/a", "text/html", Buffer.from("a"));
    await saveBody(folder, "https://side.example/a/b", "text/html", Buffer.from("b"));
    const files = await allFiles(path.join(folder, "side.example"));
    expect(files).toHaveLength(2);
  });
});
