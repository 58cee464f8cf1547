/**
 * Turns the selector engine's errors (css-what's parser, css-select's compiler, nth-check) into one
 * line a user can act on: what is wrong, and where in the selector (1-based character), when that
 * can be told. css-what's own messages ("Expected name, found ") give neither.
 */

/** A selector's fault: its 0-based index in the selector (null when unknown) and what is wrong. */
export interface SelectorFault {
  index: number | null;
  problem: string;
}

const quoted = (text: string): string => JSON.stringify(text);

/** The index of the first `(` that is never closed, or null. */
function unclosedParenthesis(selector: string): number | null {
  const open: number[] = [];
  for (let i = 0; i < selector.length; i++) {
    const char = selector[i];
    if (char === "\\") i++;
    else if (char === "(") open.push(i);
    else if (char === ")") open.pop();
  }
  return open[0] ?? null;
}

/** The index of the opening quote of an attribute value that never ends, or null. */
function unclosedQuote(selector: string): number | null {
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const char = selector[i];
    if (char === "\\") i++;
    else if (quote !== null) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") {
      quote = char;
      start = i;
    }
  }
  return quote === null ? null : start;
}

// One attribute selector, `[name]` to `[ns|name ^= "value" i]`, from its opening bracket.
const ATTRIBUTE_SELECTOR =
  /^\[\s*(?:(?:\*|[-\w\\]*)\|)?[-\w\\]+\s*(?:[~|^$*!]?=\s*(?:"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|(?:\\.|[^\s\]\\])*)\s*(?:[iIsS]\s*)?)?\]/;

/** The index of the first `[` that does not open a well-formed attribute selector, or null. */
function badAttributeSelector(selector: string): number | null {
  let quote: string | null = null;
  for (let i = 0; i < selector.length; i++) {
    const char = selector[i];
    if (char === "\\") i++;
    else if (quote !== null) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "[" && !ATTRIBUTE_SELECTOR.test(selector.slice(i))) return i;
  }
  return null;
}

/** The index of `needle` in `selector` (case-insensitive), or null. */
function indexOf(selector: string, needle: string): number | null {
  const index = selector.toLowerCase().indexOf(needle.toLowerCase());
  return index === -1 ? null : index;
}

/** Where a message that quotes the rest of the selector ("…, found X") puts the fault. */
const restIndex = (selector: string, rest: string): number | null => (selector.endsWith(rest) ? selector.length - rest.length : null);

/** Reads the engine's error about `selector`. */
export function selectorFault(selector: string, message: string): SelectorFault {
  let match = /^Expected name, found (.*)$/s.exec(message);
  if (match) {
    const rest = match[1] ?? "";
    return {
      index: restIndex(selector, rest),
      problem: rest === "" ? "expected a name" : `expected a name, found ${quoted(rest[0] ?? "")}`,
    };
  }
  match = /^Unmatched selector: (.*)$/s.exec(message);
  if (match) {
    const rest = match[1] ?? "";
    return { index: restIndex(selector, rest), problem: `unexpected ${quoted(rest[0] ?? "")}` };
  }
  if (message === "Parenthesis not matched") return { index: unclosedParenthesis(selector), problem: 'this "(" is never closed' };
  if (message.startsWith("Missing closing parenthesis in :")) {
    const name = /^Missing closing parenthesis in :(\S+)/.exec(message)?.[1] ?? "";
    return { index: indexOf(selector, `:${name}(`), problem: `expected ")" to close :${name}(` };
  }
  if (message === "Did not expect successive traversals.") {
    const found = /[>+~]\s*([>+~])/.exec(selector);
    return { index: found ? found.index + found[0].length - 1 : null, problem: "two combinators in a row" };
  }
  if (message === "Empty sub-selector") {
    // `a,,b`, `,a`, `a,`, `:not()`: the comma or parenthesis that ends nothing.
    const found = /\(\s*\)|^\s*,|,\s*,|,\s*$|\(\s*,|,\s*\)/.exec(selector);
    return {
      index: found ? found.index + found[0].length - 1 : null,
      problem: "an empty selector (nothing before this comma or parenthesis)",
    };
  }
  if (message === "Expected `=`") {
    const found = /[~|^$*!](?!=)/.exec(selector.slice(selector.indexOf("[") + 1));
    return { index: found ? selector.indexOf("[") + 1 + found.index + 1 : null, problem: `expected "="` };
  }
  if (message === "Attribute value didn't end") return { index: unclosedQuote(selector), problem: "this quote is never closed" };
  if (message === "Attribute selector didn't terminate") {
    return {
      index: badAttributeSelector(selector),
      problem: 'this attribute selector is not closed by "]" (or holds more than a name, an operator and a value)',
    };
  }
  if (message === "Comment was not terminated") return { index: indexOf(selector, "/*"), problem: 'this comment is never closed by "*/"' };
  match = /^Pseudo-selector (\S+) cannot be quoted$/.exec(message);
  if (match) return { index: indexOf(selector, `:${match[1]}(`), problem: `:${match[1]}() takes a selector, not a quoted string` };
  match = /^Unknown pseudo-class :([^(\s]+)/.exec(message);
  if (match) return { index: indexOf(selector, `:${match[1]}`), problem: `unknown pseudo-class :${match[1]}` };
  match = /^Pseudo(?:-class)? :?(\S+) (requires an argument|doesn't have any arguments)$/.exec(message);
  if (match) {
    const problem =
      match[2] === "requires an argument" ? `:${match[1]} needs an argument in parentheses` : `:${match[1]} takes no argument`;
    return { index: indexOf(selector, `:${match[1]}`), problem };
  }
  if (message.startsWith("Pseudo-elements are not supported"))
    return { index: indexOf(selector, "::"), problem: "pseudo-elements (::name) are not elements of the page" };
  match = /^n-th rule couldn't be parsed \('(.*)'\)$/s.exec(message);
  if (match) {
    const at = indexOf(selector, `(${match[1]})`);
    return { index: at === null ? null : at + 1, problem: `${quoted(match[1] ?? "")} is not a formula such as 2n+1, odd or 3` };
  }
  // Anything else, as the engine says it, on one line.
  return { index: null, problem: message.replace(/\s+/g, " ").replace(/^./, (first) => first.toLowerCase()) };
}

/** `invalid selector "div[" at character 5: expected a name` (one line, whatever the selector holds). */
export function describeSelectorFault(selector: string, message: string): string {
  const { index, problem } = selectorFault(selector, message);
  const at = index === null ? "" : ` at character ${index + 1}`;
  return `invalid selector ${quoted(selector)}${at}: ${problem}`;
}
