/**
 * A strict RFC 4180 reader, so tests check what any CSV reader would see in trawl's output rather
 * than what trawl meant to write. https://www.rfc-editor.org/rfc/rfc4180#section-2
 */

/**
 * Parses CSV text into rows of fields. Quoted fields may hold commas, doubled quotes, CR and LF.
 * Throws on anything RFC 4180 does not allow in what trawl writes: a row not ended by CRLF (the last
 * one included), a bare CR or LF outside quotes, a quote inside an unquoted field, text after a
 * closing quote, or an unclosed quote.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let at = 0;
  while (at < text.length) {
    let field = "";
    if (text[at] === '"') {
      at++;
      for (;;) {
        if (at >= text.length) throw new Error("CSV has an unclosed quote");
        if (text[at] === '"') {
          if (text[at + 1] !== '"') break;
          field += '"';
          at += 2;
        } else field += text[at++];
      }
      at++;
    } else {
      while (at < text.length && text[at] !== "," && text[at] !== "\r") {
        const char = text[at]!;
        if (char === '"' || char === "\n") throw new Error(`CSV has a bare ${JSON.stringify(char)} in an unquoted field at ${at}`);
        field += char;
        at++;
      }
    }
    row.push(field);
    if (at === text.length) break;
    if (text[at] === ",") at++;
    else if (text.startsWith("\r\n", at)) {
      rows.push(row);
      row = [];
      at += 2;
    } else throw new Error(`CSV field ends without a comma or CRLF at ${at}`);
  }
  // A row still open here lacks its CRLF (RFC 4180 lets the last one go without; trawl never does).
  if (row.length > 0) throw new Error("CSV does not end with CRLF");
  return rows;
}
