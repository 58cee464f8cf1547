import { describe, expect, it } from "vitest";
import { terminalSafe } from "../../src/cli/terminal-text.js";

describe("terminalSafe", () => {
  it("leaves ordinary text alone, Unicode included", () => {
    expect(terminalSafe("Example Domain")).toBe("Example Domain");
    expect(terminalSafe("Привет — 日本語 ✓ 𝄞")).toBe("Привет — 日本語 ✓ 𝄞");
  });

  it("removes CSI sequences (colours, cursor moves, screen clears)", () => {
    expect(terminalSafe("\u001b[31mred\u001b[0m text")).toBe("red text");
    expect(terminalSafe("a\u001b[2J\u001b[Hb")).toBe("ab");
    expect(terminalSafe("x\u001b[1;31;42my")).toBe("xy");
    expect(terminalSafe("up\u001b[10Adown")).toBe("updown");
  });

  it("removes OSC sequences such as window titles and hyperlinks", () => {
    expect(terminalSafe("before\u001b]0;evil title\u0007after")).toBe("beforeafter");
    expect(terminalSafe("before\u001b]2;evil title\u001b\\after")).toBe("beforeafter");
    expect(terminalSafe("\u001b]8;;https://evil.test\u0007click\u001b]8;;\u0007")).toBe("click");
  });

  it("removes two-character escapes", () => {
    expect(terminalSafe("a\u001bcb")).not.toContain("\u001b");
    expect(terminalSafe("a\u001bMb")).toBe("ab");
  });

  it("removes C0 and C1 control characters and DEL", () => {
    expect(terminalSafe("a\u0000b\u0007c\bd\re\nf\tg\u007fh")).toBe("abcdefgh");
    expect(terminalSafe("a\u0085b\u009b31mc\u009dd")).not.toMatch(/[\u0080-\u009f]/);
    expect(terminalSafe("bell\u0007\u0007")).toBe("bell");
  });

  it("removes the 8-bit CSI (U+009B) together with its parameters", () => {
    expect(terminalSafe("a\u009b31mb\u009b2Jc")).toBe("abc");
  });

  it("truncates long text to maxLength with an ellipsis", () => {
    const long = "x".repeat(500);
    const safe = terminalSafe(long);
    expect(safe).toHaveLength(200);
    expect(safe.endsWith("…")).toBe(true);
    expect(terminalSafe(long, 10)).toBe(`${"x".repeat(9)}…`);
    expect(terminalSafe("x".repeat(10), 10)).toBe("x".repeat(10));
  });

  it("measures the length after removing escapes", () => {
    const coloured = `\u001b[31m${"y".repeat(10)}\u001b[0m`;
    expect(terminalSafe(coloured, 10)).toBe("y".repeat(10));
  });
});
