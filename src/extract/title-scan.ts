import { Parser } from "htmlparser2";
import { decoderFor, encodingOf } from "./charset.js";
import { collapseWhitespace as collapse, quickTitle } from "./title-byte-scan.js";

// Most pages put <title> in the first kilobytes; feeding the tokenizer in slices lets it stop there
// instead of reading the whole page.
const SLICE = 2048;

/**
 * The document's title without building a DOM: htmlparser2's tokenizer (the same one cheerio/slim
 * parses with, so entities, comments, scripts and RCDATA read identically) runs until the first
 * `</title>` outside `<svg>`, then stops. Whitespace collapsed; null when the page has no title.
 */
export function scanTitle(html: string): string | null {
  return scanTitleIn(
    (function* () {
      for (let offset = 0; offset < html.length; offset += SLICE) yield html.slice(offset, offset + SLICE);
    })(),
  );
}

/**
 * The same, straight from the body's bytes. A UTF-8 page is read by the byte scan of
 * title-quick-scan.ts, which decodes only the title; otherwise (or when that scan cannot tell) only
 * the bytes up to `</title>` are decoded, a slice at a time, with the body's charset.
 */
export function scanTitleInBytes(bytes: Uint8Array, contentType: string | null): string | null {
  const encoding = encodingOf(bytes, contentType);
  if (encoding === "utf-8") {
    const quick = quickTitle(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (quick === null) return null;
    if (typeof quick === "string") return collapse(quick);
    // Entities the byte scan leaves alone: the tokenizer decodes the title's text alone, as it would in place.
    if (quick !== undefined) return scanTitle(`<title>${quick.raw}</title>`);
  }
  const decoder = decoderFor(encoding);
  return scanTitleIn(
    (function* () {
      for (let offset = 0; offset < bytes.length; offset += SLICE) yield decoder.write(bytes.subarray(offset, offset + SLICE));
      yield decoder.end();
    })(),
  );
}

function scanTitleIn(pieces: Iterable<string>): string | null {
  let svgDepth = 0;
  let inTitle = false;
  let found = false;
  let done = false;
  let text = "";
  const parser = new Parser(
    {
      onopentagname(name) {
        if (name === "svg") svgDepth++;
        else if (name === "title" && svgDepth === 0 && !found) {
          found = true;
          inTitle = true;
        }
      },
      ontext(data) {
        if (inTitle) text += data;
      },
      onclosetag(name) {
        if (name === "svg" && svgDepth > 0) svgDepth--;
        else if (name === "title" && inTitle) {
          inTitle = false;
          done = true;
          // Stops the tokenizer in the middle of the slice: nothing after </title> is read.
          parser.pause();
        }
      },
    },
    { decodeEntities: true },
  );
  for (const piece of pieces) {
    parser.write(piece);
    if (done) break;
  }
  if (!done) parser.end();
  return found ? collapse(text) : null;
}
