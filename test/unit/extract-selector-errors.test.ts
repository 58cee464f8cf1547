/**
 * A bad selector is refused before the run with one line naming the option, the selector and the
 * spot (1-based character) when it can be told: `select.x: invalid selector "div[" at character 5:
 * expected a name`, not css-what's "(Expected name, found )".
 */
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { planExtraction } from "../../src/extract/plan.js";
import { describeSelectorFault } from "../../src/extract/selector-errors.js";
import { validatePlan, validateSelector } from "../../src/extract/validate-selectors.js";

/** The message validateSelector gives for `selector` under the option `select.x`. */
function messageFor(selector: string): string {
  try {
    validateSelector(selector, "select.x");
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).option).toBe("select.x");
    return (error as Error).message;
  }
  throw new Error(`${selector} was accepted`);
}

describe("invalid selectors", () => {
  it.each([
    ["div[", 'select.x: invalid selector "div[" at character 5: expected a name'],
    ["a)", 'select.x: invalid selector "a)" at character 2: unexpected ")"'],
    ["div:not(p", 'select.x: invalid selector "div:not(p" at character 4: expected ")" to close :not('],
    ["li:nth-child(2", 'select.x: invalid selector "li:nth-child(2" at character 13: this "(" is never closed'],
    ["a > > b", 'select.x: invalid selector "a > > b" at character 5: two combinators in a row'],
    ["a,,b", 'select.x: invalid selector "a,,b" at character 3: an empty selector (nothing before this comma or parenthesis)'],
    [",a", 'select.x: invalid selector ",a" at character 1: an empty selector (nothing before this comma or parenthesis)'],
    ["a:not()", 'select.x: invalid selector "a:not()" at character 7: an empty selector (nothing before this comma or parenthesis)'],
    ["a:empty(x)", 'select.x: invalid selector "a:empty(x)" at character 2: :empty takes no argument'],
    ["a:checked(1)", 'select.x: invalid selector "a:checked(1)" at character 2: :checked takes no argument'],
    ["a:has()", 'select.x: invalid selector "a:has()" at character 7: an empty selector (nothing before this comma or parenthesis)'],
    ["a[href^x]", 'select.x: invalid selector "a[href^x]" at character 8: expected "="'],
    ['a[title="x]', 'select.x: invalid selector "a[title=\\"x]" at character 9: this quote is never closed'],
    [
      "a[href=x y]",
      'select.x: invalid selector "a[href=x y]" at character 2: this attribute selector is not closed by "]" (or holds more than a name, an operator and a value)',
    ],
    ["a /* note", 'select.x: invalid selector "a /* note" at character 3: this comment is never closed by "*/"'],
    ["a:bogus", 'select.x: invalid selector "a:bogus" at character 2: unknown pseudo-class :bogus'],
    ["p:first > :bogus", 'select.x: invalid selector "p:first > :bogus" at character 11: unknown pseudo-class :bogus'],
    ["li:nth-child(foo)", 'select.x: invalid selector "li:nth-child(foo)" at character 14: "foo" is not a formula such as 2n+1, odd or 3'],
    ["p::before", 'select.x: invalid selector "p::before" at character 2: pseudo-elements (::name) are not elements of the page'],
  ])("%s", (selector, message) => {
    expect(messageFor(selector)).toBe(message);
  });

  it("stays on one line whatever the selector holds", () => {
    const message = messageFor("div\n[");
    expect(message).not.toContain("\n");
    expect(message).toBe('select.x: invalid selector "div\\n[" at character 6: expected a name');
  });

  it("names the option at fault inside a plan, never a flag", () => {
    const plan = planExtraction({ select: { ok: "h1", x: "div[" } });
    expect(() => validatePlan(plan)).toThrow('select.x: invalid selector "div[" at character 5: expected a name');
    expect(() => validatePlan(plan)).not.toThrow(/--/);
  });
});

describe("describeSelectorFault", () => {
  it("gives the engine's words, on one line, when it cannot tell the spot", () => {
    expect(describeSelectorFault("x", "Something\nodd happened")).toBe('invalid selector "x": something odd happened');
  });
});
