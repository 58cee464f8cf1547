/**
 * One `select` field, parsed (SPEC §3): the key (`title`, `links[]`, `books[].title`) and the value
 * (`css`, `css@attr`, `@attr`, then filters after ` | `). Light on purpose: the CLI checks its flags
 * with this before anything heavy loads. Errors name the field by its option path (`select.title`).
 */
import { UsageError } from "../errors.js";
import { type FilterSpec, parseFilter } from "./filters.js";

/** What a field reads from each element it gets. */
export type FieldRead = { kind: "text" } | { kind: "html" } | { kind: "outerHtml" } | { kind: "attribute"; name: string };

/** `@text`, `@html`, `@outerHtml`: what they read. Spelt exactly so; any other name is an attribute. */
export const PSEUDO_ATTRIBUTES: Readonly<Record<string, FieldRead>> = {
  text: { kind: "text" },
  html: { kind: "html" },
  outerHtml: { kind: "outerHtml" },
};

// DOM property names people reach for, lower-cased, and the pseudo-attribute that does the job.
const DOM_PROPERTIES: Readonly<Record<string, string>> = {
  innerhtml: "@html",
  outerhtml: "@outerHtml",
  textcontent: "@text",
  innertext: "@text",
  outertext: "@text",
};

/** One field as written. */
export interface SelectField {
  /** The field's identity: its key without a trailing `[]` (`title`, `links`, `books[].title`). */
  name: string;
  /** The names of the lists that hold it, outermost first, then its own; each without `[]`. */
  path: string[];
  /** The option path that names it in messages (`select.books[].title`). */
  option: string;
  /** CSS selector, or null to read the element the field is evaluated in (`name=@attr`). */
  selector: string | null;
  /** What to read from each element. */
  read: FieldRead;
  /** Filters applied in order to what is read (to each element, for an array). */
  filters: FilterSpec[];
  /** True for `name[]=…`: an array of every match (or, with sub-fields, a list of items). */
  all: boolean;
}

// A name part: no whitespace, `=`, `.`, `[` or `]`.
const NAME_PART = /^[^\s=.[\]]+$/;
// `css@attr`: an attribute name after the last `@`.
const ATTRIBUTE_SUFFIX = /@([A-Za-z_:][-A-Za-z0-9_:.]*)$/;

/** True when `index` is inside `[...]`, `(...)` or quotes of a selector. */
function isNested(text: string, index: number): boolean {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < index; i++) {
    const char = text[i];
    if (quote) {
      if (char === "\\") i++;
      else if (char === quote) quote = null;
    } else if (char === "\\") i++;
    else if (char === '"' || char === "'") quote = char;
    else if (char === "[" || char === "(") depth++;
    else if (char === "]" || char === ")") depth--;
  }
  return depth > 0 || quote !== null;
}

/**
 * Splits `css@attr | filter | filter` at each ` | ` (a bar with whitespace on both sides) that is
 * not inside brackets or quotes of the selector: CSS's own bars (`svg|a`, `[lang|=en]`) have none.
 * Once the filters start, every ` | ` separates two filters, so a regex holds none.
 */
function splitFilters(value: string): { selector: string; filters: string[] } {
  const bar = /\s\|\s/g;
  for (let match = bar.exec(value); match !== null; match = bar.exec(value)) {
    if (isNested(value, match.index)) continue;
    return { selector: value.slice(0, match.index), filters: value.slice(match.index + match[0].length).split(/\s\|\s/) };
  }
  return { selector: value, filters: [] };
}

/** What `@name` reads, or a UsageError naming `option` for a name that can never match. */
function readOf(name: string, option: string): FieldRead {
  const pseudo = PSEUDO_ATTRIBUTES[name];
  if (pseudo) return pseudo;
  const lower = name.toLowerCase();
  const instead = DOM_PROPERTIES[lower];
  if (instead !== undefined) {
    throw new UsageError(
      `${option}: unknown pseudo-attribute "@${name}" (did you mean ${instead}? the pseudo-attributes are @text, @html and @outerHtml)`,
      { option },
    );
  }
  // The parser lower-cases attribute names, so a name with a capital letter matches nothing.
  if (lower !== name) {
    throw new UsageError(
      `${option}: unknown pseudo-attribute "@${name}" (attribute names are lower case: write "@${lower}"; the pseudo-attributes are @text, @html and @outerHtml)`,
      { option },
    );
  }
  return { kind: "attribute", name };
}

/** Parses the key's name parts: every part but the last must be a list (`books[]`). */
function pathOf(key: string, option: string): { path: string[]; all: boolean } {
  const parts = key.split(".");
  const path: string[] = [];
  let all = false;
  parts.forEach((part, index) => {
    all = part.endsWith("[]");
    const name = all ? part.slice(0, -2) : part;
    if (!NAME_PART.test(name)) {
      throw new UsageError(
        `${option}: a field name is a word before "=", optionally ending in [] (a list), with "." between a list and its fields; got "${key}"`,
        { option },
      );
    }
    if (!all && index < parts.length - 1) {
      throw new UsageError(
        `${option}: "${name}" is not a list field, so "${key}" cannot be a field inside it (a sub-field's parent ends in []: "${name}[].…")`,
        { option },
      );
    }
    path.push(name);
  });
  return { path, all };
}

/**
 * Parses a field: its key (`title`, `links[]`, `books[].title`) and value (`h1`, `a@href`, `@href`,
 * `.price | number`). `optionBase` is what the key is under in messages (`select`, or a recipe's
 * `pages.book.select`).
 */
export function parseSelectField(key: string, value: string, optionBase = "select"): SelectField {
  const trimmedKey = key.trim();
  const option = `${optionBase}.${trimmedKey}`;
  const { path, all } = pathOf(trimmedKey, option);
  const split = splitFilters(value.trim());
  let selector: string | null = split.selector.trim();
  let read: FieldRead = { kind: "text" };
  const match = ATTRIBUTE_SUFFIX.exec(selector);
  if (match && !isNested(selector, match.index)) {
    read = readOf(match[1] ?? "", option);
    selector = selector.slice(0, match.index).trim();
  }
  if (selector === "") {
    if (read.kind === "text") throw new UsageError(`${option} needs a CSS selector, an @attribute, or both, got "${value}"`, { option });
    // `name=@attr`: the element the field is evaluated in.
    selector = null;
  }
  const filters = split.filters.map((filter) => parseFilter(filter, option));
  return { name: all ? trimmedKey.slice(0, -2) : trimmedKey, path, option, selector, read, filters, all };
}

/** Parses the CLI form `name=css`, `name=css@attr`, `name[]=…`, `list[].name=…`. */
export function parseSelectArgument(argument: string): SelectField {
  const equals = argument.indexOf("=");
  if (equals <= 0) {
    throw new UsageError(`select must look like name=css, name=css@attr or name[]=css, got "${argument}"`, { option: "select" });
  }
  return parseSelectField(argument.slice(0, equals), argument.slice(equals + 1));
}

/**
 * Parses a link selector (`css` or `css@attr`; the attribute is `href` unless named), as `follow`
 * takes it. Pseudo-attributes and filters have no place there: a link is an attribute's URL.
 */
export function parseLinkSelector(value: string, option: string): { selector: string; attribute: string } {
  let selector = value.trim();
  let attribute = "href";
  const match = ATTRIBUTE_SUFFIX.exec(selector);
  if (match && !isNested(selector, match.index)) {
    const read = readOf(match[1] ?? "", option);
    if (read.kind !== "attribute")
      throw new UsageError(`${option}: a link is read from an attribute (such as @href or @src), not @${match[1]}`, { option });
    attribute = read.name;
    selector = selector.slice(0, match.index).trim();
  }
  if (selector === "") throw new UsageError(`${option} needs a CSS selector for the links, got "${value}"`, { option });
  return { selector, attribute };
}
