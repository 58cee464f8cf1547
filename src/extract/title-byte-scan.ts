/**
 * The title straight from UTF-8 bytes, without decoding the page or running a tokenizer: a byte
 * scan that follows htmlparser2's tokenizer state for state on the constructs that can come before
 * a `<title>` (comments, doctypes, tags with quoted attributes, `<script>`/`<style>` raw text), so it
 * reads the same title cheerio/slim would. Anything it does not model (CDATA, `<svg>`/`<math>`, odd
 * comment openings, a title never closed) answers `undefined`: the caller then runs the tokenizer.
 * Most pages need a few `indexOf` calls over their first kilobytes.
 */

import { encodingOf } from "./charset.js";

const TAB = 0x09;
const NEWLINE = 0x0a;
const FORM_FEED = 0x0c;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const BANG = 0x21;
const DOUBLE_QUOTE = 0x22;
const AMPERSAND = 0x26;
const SINGLE_QUOTE = 0x27;
const DASH = 0x2d;
const SLASH = 0x2f;
const LT = 0x3c;
const EQUALS = 0x3d;
const GT = 0x3e;
const QUESTION = 0x3f;
const OPEN_BRACKET = 0x5b;
// htmlparser2 compares `c | 0x20` with `</` when it matches an end tag, so these bytes can act as `<` and `/`.
const LT_ALIAS = 0x1c;
const SLASH_ALIAS = 0x0f;

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (char) => char.charCodeAt(0));
const TITLE = ascii("title");
// htmlparser2's other special tags: their text is raw up to the matching end tag.
const RAW_TEXT_TAGS = ["script", "style", "textarea", "xmp"].map(ascii);
// Foreign content changes what `<title>` means; the tokenizer path tracks it.
const FOREIGN_TAGS = ["svg", "math"].map(ascii);

const isWhitespace = (c: number): boolean => c === SPACE || c === NEWLINE || c === TAB || c === FORM_FEED || c === CARRIAGE_RETURN;
const isEndOfTagSection = (c: number): boolean => c === SLASH || c === GT || isWhitespace(c);
const isAsciiAlpha = (c: number): boolean => (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;

/** True when the byte `c` occurs in bytes[from, to). */
function holds(bytes: Buffer, c: number, from: number, to: number): boolean {
  // indexOf on the whole buffer would read past `to`, to the end of the page, when `c` is absent.
  if (to - from > 256) return bytes.subarray(from, to).indexOf(c) !== -1;
  for (let i = from; i < to; i++) if (bytes[i] === c) return true;
  return false;
}

/** True when bytes[from, to) spell `name`, ASCII letters compared without case. */
function nameIs(bytes: Uint8Array, from: number, to: number, name: Uint8Array): boolean {
  if (to - from !== name.length) return false;
  for (let i = 0; i < name.length; i++) {
    const c = bytes[from + i] as number;
    if ((isAsciiAlpha(c) ? c | 0x20 : c) !== name[i]) return false;
  }
  return true;
}

enum TagState {
  BeforeName,
  SelfClosing,
  InName,
  AfterName,
  BeforeValue,
  Unquoted,
}

/**
 * From the end of a start tag's name, where its `>` is (htmlparser2's attribute states: quoted values
 * may hold `>`), and whether it ends `/>`. Null when the tag never ends.
 */
function endOfStartTag(bytes: Uint8Array, from: number): { gt: number; selfClosing: boolean } | null {
  let state = TagState.BeforeName;
  let i = from;
  while (i < bytes.length) {
    const c = bytes[i] as number;
    switch (state) {
      case TagState.BeforeName:
        if (c === GT) return { gt: i, selfClosing: false };
        if (c === SLASH) state = TagState.SelfClosing;
        else if (!isWhitespace(c)) state = TagState.InName;
        break;
      case TagState.SelfClosing:
        if (c === GT) return { gt: i, selfClosing: true };
        if (!isWhitespace(c)) {
          state = TagState.BeforeName;
          continue; // the same byte again, in the new state
        }
        break;
      case TagState.InName:
        if (c === EQUALS || isEndOfTagSection(c)) {
          state = TagState.AfterName;
          continue;
        }
        break;
      case TagState.AfterName:
        if (c === EQUALS) state = TagState.BeforeValue;
        else if (c === SLASH || c === GT) {
          state = TagState.BeforeName;
          continue;
        } else if (!isWhitespace(c)) state = TagState.InName;
        break;
      case TagState.BeforeValue:
        if (c === DOUBLE_QUOTE || c === SINGLE_QUOTE) {
          const close = bytes.indexOf(c, i + 1);
          if (close === -1) return null;
          i = close;
          state = TagState.BeforeName;
        } else if (!isWhitespace(c)) {
          state = TagState.Unquoted;
          continue;
        }
        break;
      case TagState.Unquoted:
        if (c === GT || isWhitespace(c)) {
          state = TagState.BeforeName;
          continue;
        }
        break;
    }
    i++;
  }
  return null;
}

/**
 * Where the text of a special tag opened before `from` ends: the `<` of the first `</name` followed by
 * `>` or whitespace (htmlparser2's rule; `/` does not end it). -1 when it never ends.
 */
function endOfSpecialText(bytes: Uint8Array, from: number, name: Uint8Array): number {
  for (let lt = bytes.indexOf(LT, from); lt !== -1; lt = bytes.indexOf(LT, lt + 1)) {
    if (bytes[lt + 1] !== SLASH) continue;
    let i = 0;
    while (i < name.length && ((bytes[lt + 2 + i] as number) | 0x20) === name[i]) i++;
    if (i < name.length) continue;
    const after = bytes[lt + 2 + name.length];
    if (after === undefined) return -1;
    if (after === GT || isWhitespace(after)) return lt;
  }
  return -1;
}

/** What the caller needs to finish a title the scan found but will not decode itself. */
export interface TitleWithEntities {
  /** The title's raw text, with entities the tokenizer must decode. */
  raw: string;
}

// The entities titles use most, each a whole match in the HTML entity table (nothing longer starts
// with `name;`), so they decode the same wherever they stand. Anything else goes to the tokenizer.
const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };
const SIMPLE_ENTITY = /&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos|nbsp));/g;

/**
 * True when every `&` of a title's text starts an entity for htmlparser2. It does not while the
 * tokenizer is part-way through matching `</title` (`<&amp;` stays as it is), which needs a `<` at
 * most six characters before.
 */
function entitiesDecodeInPlace(text: string): boolean {
  for (let amp = text.indexOf("&"); amp !== -1; amp = text.indexOf("&", amp + 1)) {
    const lt = text.lastIndexOf("<", amp);
    if (lt !== -1 && amp - lt <= 6) return false;
  }
  return true;
}

/**
 * Decodes `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;` and numeric references to ordinary
 * code points; undefined when the text holds any other `&` (a legacy entity without `;`, a rarer
 * name, a code point the HTML standard remaps), which only the tokenizer decodes exactly.
 */
export function decodeSimpleEntities(text: string): string | undefined {
  let decoded = 0;
  let declined = false;
  const result = text.replace(SIMPLE_ENTITY, (_whole, decimal?: string, hex?: string, name?: string) => {
    decoded++;
    if (name !== undefined) return NAMED_ENTITIES[name] as string;
    const codePoint = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex as string, 16);
    // 0, C1 controls (read as windows-1252), surrogates and out-of-range values are remapped by the standard.
    if (
      codePoint === 0 ||
      (codePoint >= 0x80 && codePoint <= 0x9f) ||
      (codePoint >= 0xd800 && codePoint <= 0xdfff) ||
      codePoint > 0x10ffff
    ) {
      declined = true;
      return "";
    }
    return String.fromCodePoint(codePoint);
  });
  // Every `&` must have started one of these.
  let ampersands = 0;
  for (let at = text.indexOf("&"); at !== -1; at = text.indexOf("&", at + 1)) ampersands++;
  return declined || decoded !== ampersands ? undefined : result;
}

/**
 * The title of a UTF-8 page, whitespace not yet collapsed: a string, null when the page has none,
 * `{raw}` when its text holds entities, or undefined when only the tokenizer can tell.
 */
export function quickTitle(bytes: Buffer): string | null | TitleWithEntities | undefined {
  const length = bytes.length;
  // A UTF-8 byte order mark is not text.
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (;;) {
    const lt = bytes.indexOf(LT, i);
    if (lt === -1 || lt + 1 >= length) return null;
    const next = bytes[lt + 1] as number;
    if (next === BANG) {
      const third = bytes[lt + 2];
      if (third === DASH) {
        // `<!--` starts a comment that ends at the first `-->`, counted from its own dashes (`<!-->` is
        // a whole comment); `<!-` and anything else is a declaration the tokenizer treats oddly.
        if (bytes[lt + 3] !== DASH) return undefined;
        const end = bytes.indexOf("-->", lt + 2, "latin1");
        if (end === -1) return undefined;
        i = end + 3;
        continue;
      }
      if (third === OPEN_BRACKET || third === undefined) return undefined;
      // A declaration (<!DOCTYPE …>): the byte after `<!` is taken before looking for `>`.
      const gt = bytes.indexOf(GT, lt + 3);
      if (gt === -1) return undefined;
      i = gt + 1;
      continue;
    }
    if (next === QUESTION || next === SLASH) {
      // A processing instruction, or any end tag: both run to the next `>`.
      const gt = bytes.indexOf(GT, lt + 2);
      if (gt === -1) return undefined;
      i = gt + 1;
      continue;
    }
    if (!isAsciiAlpha(next)) {
      // `<` not followed by a tag name is text.
      i = lt + 1;
      continue;
    }
    let nameEnd = lt + 2;
    while (nameEnd < length && !isEndOfTagSection(bytes[nameEnd] as number)) nameEnd++;
    if (nameEnd >= length) return undefined;
    const tag = endOfStartTag(bytes, nameEnd);
    if (tag === null) return undefined;
    if (FOREIGN_TAGS.some((name) => nameIs(bytes, lt + 1, nameEnd, name))) return undefined;
    const isTitle = nameIs(bytes, lt + 1, nameEnd, TITLE);
    const special = isTitle ? TITLE : RAW_TEXT_TAGS.find((name) => nameIs(bytes, lt + 1, nameEnd, name));
    if (special === undefined) {
      i = tag.gt + 1;
      continue;
    }
    // `<title/>` is not a self-closed title to htmlparser2 but an open one whose text is parsed as markup.
    if (tag.selfClosing) {
      if (isTitle) return undefined;
      i = tag.gt + 1;
      continue;
    }
    const textStart = tag.gt + 1;
    const textEnd = endOfSpecialText(bytes, textStart, special);
    if (textEnd === -1 || holds(bytes, LT_ALIAS, textStart, textEnd) || holds(bytes, SLASH_ALIAS, textStart, textEnd)) {
      return undefined;
    }
    if (!isTitle) {
      // The end tag itself is read as any end tag is: to its `>`.
      i = textEnd;
      continue;
    }
    const raw = bytes.toString("utf8", textStart, textEnd);
    if (!holds(bytes, AMPERSAND, textStart, textEnd)) return raw;
    return entitiesDecodeInPlace(raw) ? (decodeSimpleEntities(raw) ?? { raw }) : { raw };
  }
}

/** Whitespace collapsed, as the title of a record has it. */
export const collapseWhitespace = (text: string): string => text.replace(/\s+/g, " ").trim();

/**
 * The title of a page straight from its bytes when the byte scan can tell (a UTF-8 page, its title
 * text plain or with the common entities): a string, or null when the page has none. Undefined when
 * only the tokenizer can tell (title-scan.ts).
 */
export function quickTitleOf(bytes: Uint8Array, contentType: string | null): string | null | undefined {
  if (encodingOf(bytes, contentType) !== "utf-8") return undefined;
  // A new Buffer view costs more than the whole scan: bodies are Buffers already.
  const quick = quickTitle(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return typeof quick === "string" ? collapseWhitespace(quick) : quick === null ? null : undefined;
}
