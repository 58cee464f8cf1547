import { Parser } from "htmlparser2";

// Most pages put <title> in the first kilobytes; feeding the tokenizer in slices lets it stop there
// instead of reading the whole page.
const SLICE = 2048;

/**
 * The document's title without building a DOM: htmlparser2's tokenizer (the same one cheerio/slim
 * parses with, so entities, comments, scripts and RCDATA read identically) runs until the first
 * `</title>` outside `<svg>`, then stops. Whitespace collapsed; null when the page has no title.
 */
export function scanTitle(html: string): string | null {
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
  for (let offset = 0; offset < html.length && !done; offset += SLICE) {
    parser.write(html.slice(offset, offset + SLICE));
  }
  if (!done) parser.end();
  return found ? text.replace(/\s+/g, " ").trim() : null;
}
