import type { ExtractedValue, TrawlRecord } from "../../record.js";
import type { RecordFormat } from "./format.js";

/** The fixed columns (SPEC §4); one column per `--select` field follows, in the order given. */
export const CSV_COLUMNS = ["url", "finalUrl", "status", "ok", "attempts", "ms", "bytes", "contentType", "title", "error"] as const;

/** RFC 4180 §2: a field holding a comma, quote, CR or LF is quoted, and quotes inside are doubled. */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function cellOf(value: ExtractedValue | undefined): string {
  if (value === undefined || value === null) return "";
  // Arrays and objects (items, `| json`) as JSON text (SPEC §4).
  return csvField(typeof value === "object" ? JSON.stringify(value) : value);
}

/** CSV with a header row, CRLF line ends as RFC 4180 asks. */
export function csvFormat(fieldNames: readonly string[]): RecordFormat {
  return {
    begin: () => `${[...CSV_COLUMNS, ...fieldNames].map(csvField).join(",")}\r\n`,
    record: (record: TrawlRecord) => {
      const cells = [
        csvField(record.url),
        csvField(record.finalUrl),
        csvField(record.status),
        csvField(record.ok),
        csvField(record.attempts),
        csvField(record.ms),
        csvField(record.bytes),
        csvField(record.contentType),
        csvField(record.title),
        csvField(record.error?.code ?? null),
        ...fieldNames.map((name) => cellOf(record.data[name])),
      ];
      return `${cells.join(",")}\r\n`;
    },
    end: () => "",
  };
}
