import type { TrawlRecord } from "../../record.js";
import { terminalSafe } from "../terminal-text.js";
import { type CsvLayout, csvHeaders, csvLayout } from "./csv-layout.js";
import type { RecordFormat } from "./format.js";

export { CSV_COLUMNS } from "./csv-layout.js";

type Cell = string | number | boolean | null | undefined;

/** RFC 4180 §2: a field holding a comma, quote, CR or LF is quoted, and quotes inside are doubled. */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A value of any shape as a cell: arrays and objects as JSON text, nothing as empty. */
function cellOf(value: unknown): Cell {
  if (value === undefined || value === null) return null;
  if (typeof value === "object") return JSON.stringify(value);
  return value as Cell;
}

/**
 * CSV with a header row, CRLF line ends as RFC 4180 asks. With items, one row per item (the page's
 * columns repeated, `item` its 0-based index); a page with no item still gets one row. `onTerminal`
 * strips control characters and escape sequences from every cell (page text must not reach a
 * terminal raw: CSV, unlike JSON, has no escape of its own for them).
 */
export function csvFormat(columns: CsvLayout | readonly string[], onTerminal = false): RecordFormat {
  // A plain list of field names: one column each, no items.
  const layout = Array.isArray(columns) ? csvLayout(columns as readonly string[], []) : (columns as CsvLayout);
  const field = onTerminal
    ? (value: Cell) => csvField(typeof value === "string" ? terminalSafe(value, Number.POSITIVE_INFINITY) : (value ?? null))
    : (value: Cell) => csvField(value ?? null);
  const pageCells = (record: TrawlRecord): string[] => {
    const optional = record as unknown as Record<string, unknown>;
    return [
      field(record.url),
      field(record.finalUrl),
      field(record.status),
      field(record.ok),
      field(record.attempts),
      field(record.ms),
      field(record.bytes),
      field(record.contentType),
      field(record.title),
      field(record.error?.code ?? null),
      ...layout.optional.map((column) => field(cellOf(optional[column]))),
      ...layout.pageFields.map((column) => field(cellOf(record.data[column.key]))),
    ];
  };
  const items = layout.items;
  return {
    begin: () => `${csvHeaders(layout).map(csvField).join(",")}\r\n`,
    record: (record: TrawlRecord) => {
      const page = pageCells(record);
      if (!items) return `${page.join(",")}\r\n`;
      const list = record.data[items.key];
      const rows = Array.isArray(list) && list.length > 0 ? list : [undefined];
      let text = "";
      rows.forEach((item, index) => {
        const object = item !== null && typeof item === "object" && !Array.isArray(item) ? (item as Record<string, unknown>) : null;
        const cells = [
          field(item === undefined ? null : index),
          ...items.fields.map((column) => field(object === null ? null : cellOf(object[column.key]))),
        ];
        text += `${page.join(",")},${cells.join(",")}\r\n`;
      });
      return text;
    },
    end: () => "",
  };
}
