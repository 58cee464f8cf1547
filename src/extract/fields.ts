import { UsageError } from "../errors.js";

/** One `--select` field, parsed: what to match, what to take, and whether to collect every match. */
export interface SelectField {
  /** Key in `record.data` (without the `[]` suffix). */
  name: string;
  /** CSS selector. */
  selector: string;
  /** Attribute to read, or null for the element's text. */
  attribute: string | null;
  /** True for `name[]=…`: an array of every match. */
  all: boolean;
}

// `css@attr`: the attribute is a plain name after the last `@` that is not inside `[...]` or quotes.
const ATTRIBUTE_SUFFIX = /@([A-Za-z_:][-A-Za-z0-9_:.]*)$/;

function isInsideBrackets(text: string, index: number): boolean {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < index; i++) {
    const char = text[i];
    if (quote) {
      if (char === "\\") i++;
      else if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "[" || char === "(") depth++;
    else if (char === "]" || char === ")") depth--;
  }
  return depth > 0 || quote !== null;
}

/** Parses the value part of a field (`h1`, `a@href`) under the given key (`title`, `links[]`). */
export function parseSelectField(key: string, value: string): SelectField {
  const all = key.endsWith("[]");
  const name = all ? key.slice(0, -2) : key;
  if (!/^[^\s=]+$/.test(name)) {
    throw new UsageError(`--select needs a field name before '=', got \`${key}=${value}\``);
  }
  let selector = value.trim();
  let attribute: string | null = null;
  const match = ATTRIBUTE_SUFFIX.exec(selector);
  if (match && !isInsideBrackets(selector, match.index)) {
    attribute = (match[1] ?? "").toLowerCase();
    selector = selector.slice(0, match.index).trim();
  }
  if (selector === "") {
    throw new UsageError(`--select ${key} needs a CSS selector, got \`${value}\``);
  }
  return { name, selector, attribute, all };
}

/** Parses the CLI form `name=css`, `name=css@attr` or `name[]=…`. */
export function parseSelectArgument(argument: string): SelectField {
  const equals = argument.indexOf("=");
  if (equals <= 0) {
    throw new UsageError(`--select must look like name=css, name=css@attr or name[]=css, got \`${argument}\``);
  }
  return parseSelectField(argument.slice(0, equals).trim(), argument.slice(equals + 1));
}
