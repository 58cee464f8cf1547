// C0 and C1 control characters and ANSI escape sequences (CSI, OSC, …): what page text could use
// to move the cursor, retitle the window or hide text on a terminal.
const ESCAPES =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])|[\u0000-\u001f\u007f-\u009f]/g;

/** Makes page or input text safe to print on a terminal: escapes and control characters removed. */
export function terminalSafe(text: string, maxLength = 200): string {
  const clean = text.replace(ESCAPES, "");
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 1)}…` : clean;
}

/**
 * JSON text made safe for a terminal while staying valid JSON: JSON.stringify escapes C0 controls
 * but writes DEL and the C1 controls (U+0080–U+009F, where U+009B is a one-byte CSI to some
 * terminals) raw; they can only occur inside strings, where `\u00XX` means the same character.
 */
export function terminalSafeJson(text: string): string {
  return text.replace(/[\u007f-\u009f]/g, (char) => `\\u00${char.charCodeAt(0).toString(16)}`);
}
