// The floors trawl is measured against, run as a child process of their own (so the OS can report their
// RSS and CPU): what a user would write by hand with undici + p-limit, and nothing cleverer.
//
//   node floor.mjs --urls FILE -c N [--parser none|cheerio] [-s name=css[@attr]]… [--sample FILE --sample-every K]
//
// --parser none     the fetch floor: request, read the whole body, no parsing.
// --parser cheerio  the cheerio floor: the same + cheerio.load() (the default import: parse5) + the title
//                   and every -s field, with SPEC §3 semantics, so values can be compared with trawl's.
// Prints one JSON line {done, ok, failed} on stdout; with --sample, writes {url,title,data} of every K-th
// URL to FILE as NDJSON.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import pLimit from "p-limit";
import { request } from "undici";

const { values } = parseArgs({
  options: {
    urls: { type: "string" },
    concurrency: { type: "string", short: "c", default: "64" },
    parser: { type: "string", default: "none" },
    select: { type: "string", short: "s", multiple: true, default: [] },
    sample: { type: "string" },
    "sample-every": { type: "string", default: "100" },
  },
});

const urls = readFileSync(values.urls, "utf8").split("\n").filter(Boolean);
const fields = values.select.map(parseField);
const sampleEvery = Number(values["sample-every"]);
const samples = [];
// Loaded only for the cheerio floor, so that the fetch floor's RSS is not charged for it.
const cheerio = values.parser === "cheerio" ? await import("cheerio") : null;

// The CLI's `name=css`, `name=css@attr`, `name[]=…` (simple selectors only: no `@` inside brackets).
function parseField(argument) {
  const equals = argument.indexOf("=");
  const key = argument.slice(0, equals);
  const all = key.endsWith("[]");
  const [selector, attribute = null] = argument.slice(equals + 1).split("@");
  return { name: all ? key.slice(0, -2) : key, selector, attribute, all };
}

function resolve(value, base) {
  try {
    return new URL(value.trim(), base).href;
  } catch {
    return value;
  }
}

function extract(html, url) {
  const $ = cheerio.load(html);
  const title = $("title").first();
  const baseHref = $("base[href]").first().attr("href");
  const base = baseHref === undefined ? url : resolve(baseHref, url);
  const fieldValue = (element, field) => {
    if (field.attribute === null) return $(element).text().trim();
    const raw = $(element).attr(field.attribute);
    // The bench only asks for href, a URL attribute: resolved as SPEC §3 says.
    return raw === undefined ? null : field.attribute === "href" ? resolve(raw, base) : raw;
  };
  const data = {};
  for (const field of fields) {
    const matches = $(field.selector).toArray();
    if (field.all) data[field.name] = matches.map((element) => fieldValue(element, field)).filter((value) => value !== null);
    else data[field.name] = matches.length ? fieldValue(matches[0], field) : null;
  }
  return { title: title.length ? title.text().replace(/\s+/g, " ").trim() : null, data };
}

let ok = 0;
let failed = 0;
const limit = pLimit(Number(values.concurrency));
await Promise.all(
  urls.map((url, index) =>
    limit(async () => {
      try {
        const { statusCode, body } = await request(url);
        if (cheerio) {
          const result = extract(await body.text(), url);
          if (values.sample && index % sampleEvery === 0) samples.push({ url, ...result });
        } else {
          await body.arrayBuffer();
        }
        if (statusCode === 200) ok++;
        else failed++;
      } catch {
        failed++;
      }
    }),
  ),
);
if (values.sample) writeFileSync(values.sample, samples.map((sample) => JSON.stringify(sample)).join("\n"));
process.stdout.write(`${JSON.stringify({ done: ok + failed, ok, failed })}\n`);
// undici's keep-alive sockets would hold the process open for their idle timeout.
process.exit(0);
