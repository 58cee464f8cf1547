/** Issue 12 #12: the README documents every library option (and the CLI every flag in --help). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);
const optionsSource = readFileSync(new URL("src/options.ts", root), "utf8");
const readme = readFileSync(new URL("README.md", root), "utf8");

/** The keys of an interface in src/options.ts, as declared. */
function keysOf(name: string): string[] {
  const start = optionsSource.indexOf(`export interface ${name} {`);
  expect(start, name).toBeGreaterThan(-1);
  const block = optionsSource.slice(start, optionsSource.indexOf("\n}\n", start));
  return [...block.matchAll(/^ {2}(\w+)\??:/gm)].map((match) => match[1] as string);
}

describe("README: the library section", () => {
  const section = readme.slice(readme.indexOf("### As a library"), readme.indexOf("## Scraping a site"));
  for (const name of ["TrawlOptions", "CrawlOptions", "FrontierOptions"]) {
    it(`has a row for every key of ${name}`, () => {
      const keys = keysOf(name);
      expect(keys.length).toBeGreaterThan(2);
      for (const key of keys) expect(section, key).toContain(`| \`${key}\` |`);
    });
  }
});
