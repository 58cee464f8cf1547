/**
 * Turning body bytes into text (SPEC §2): the charset of Content-Type, else a BOM or a
 * `<meta charset>` in the first bytes, else UTF-8. An unknown label falls back to UTF-8.
 * TextDecoder knows the WHATWG Encoding Standard's labels (windows-1251, shift_jis, gbk, …).
 */
import { StringDecoder } from "node:string_decoder";
import { TextDecoder } from "node:util";

// A run sees the same few Content-Type values over and over: the last one's reading is kept. A
// pure function's last answer, so nothing here needs resetting.
let lastContentType: string | null = null;
let lastCharset: string | null = null;
let lastMediaType = "";

/** The `charset` parameter of a Content-Type value, or null. */
export function charsetOfContentType(contentType: string | null): string | null {
  if (!contentType) return null;
  if (contentType !== lastContentType) readContentType(contentType);
  return lastCharset;
}

/** The media type of a Content-Type value, lower-cased, without parameters. */
function mediaTypeOf(contentType: string): string {
  if (contentType !== lastContentType) readContentType(contentType);
  return lastMediaType;
}

function readContentType(contentType: string): void {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(contentType);
  const label = match?.[1] ?? match?.[2];
  lastCharset = label ? label.trim() : null;
  lastMediaType = contentType.split(";", 1)[0]?.trim().toLowerCase() ?? "";
  lastContentType = contentType;
}

function charsetOfBom(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return "utf-8";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  return null;
}

// The HTML prescan looks at the first 1024 bytes; real pages put long <head>s first, so look further.
const PRESCAN_BYTES = 4096;
const META_CHARSET = /<meta\s[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)/i;

/** `<meta charset=…>` or `<meta http-equiv=Content-Type content="…; charset=…">` near the start. */
function charsetOfMeta(bytes: Uint8Array): string | null {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, PRESCAN_BYTES)).toString("latin1");
  return META_CHARSET.exec(head)?.[1] ?? null;
}

/** Turns body bytes into text a piece at a time (a multi-byte character may span two pieces). */
export interface BodyDecoder {
  write(bytes: Uint8Array): string;
  end(): string;
}

const UTF8_LABELS = new Set(["utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"]);

function textDecoderFor(label: string | null): TextDecoder | null {
  if (!label) return null;
  try {
    return new TextDecoder(label);
  } catch {
    return null;
  }
}

/**
 * UTF-8 the fast way: Buffer's own decoder (V8's, several times quicker than TextDecoder here),
 * through StringDecoder so pieces may split a character; a leading BOM is dropped as TextDecoder would.
 */
function utf8Decoder(): BodyDecoder {
  const decoder = new StringDecoder("utf8");
  let first = true;
  return {
    write(bytes) {
      let piece = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (first) {
        first = false;
        if (piece[0] === 0xef && piece[1] === 0xbb && piece[2] === 0xbf) piece = piece.subarray(3);
      }
      return decoder.write(piece);
    },
    end: () => decoder.end(),
  };
}

/**
 * The body's encoding by the rules above (Content-Type, BOM, `<meta charset>`, UTF-8), as a WHATWG
 * encoding name: "utf-8", "windows-1251", "shift_jis"…; never throws.
 */
export function encodingOf(bytes: Uint8Array, contentType: string | null): string {
  // In order, and lazily: most responses say their charset, and the <meta> prescan is the costly one.
  return (
    encodingOfLabel(charsetOfContentType(contentType)) ??
    encodingOfLabel(charsetOfBom(bytes)) ??
    encodingOfLabel(charsetOfMeta(bytes)) ??
    "utf-8"
  );
}

function encodingOfLabel(label: string | null): string | null {
  if (label === null) return null;
  if (UTF8_LABELS.has(label.toLowerCase())) return "utf-8";
  return textDecoderFor(label)?.encoding ?? null;
}

/** A decoder for an encoding name that `encodingOf` gave. */
export function decoderFor(encoding: string): BodyDecoder {
  const decoder = encoding === "utf-8" ? null : textDecoderFor(encoding);
  if (!decoder) return utf8Decoder();
  return { write: (piece) => decoder.decode(piece, { stream: true }), end: () => decoder.decode() };
}

/** Picks the body's decoder by the rules above; never throws. */
export function createDecoder(bytes: Uint8Array, contentType: string | null): BodyDecoder {
  return decoderFor(encodingOf(bytes, contentType));
}

/** Decodes a whole body to text; never throws. */
export function decodeText(bytes: Uint8Array, contentType: string | null): string {
  const decoder = createDecoder(bytes, contentType);
  return decoder.write(bytes) + decoder.end();
}

const HTML_TYPES = new Set(["text/html", "application/xhtml+xml"]);

/** True when the response is HTML: by its media type, or by its first bytes when it has none. */
export function isHtml(contentType: string | null, bytes: Uint8Array): boolean {
  if (contentType) return HTML_TYPES.has(mediaTypeOf(contentType));
  const start = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 512))
    .toString("latin1")
    .replace(/^(\xef\xbb\xbf|\s)+/, "")
    .toLowerCase();
  return start.startsWith("<!doctype html") || start.startsWith("<html");
}
