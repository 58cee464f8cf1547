import type { TrawlRecord } from "../../record.js";

/** Turns records into text for one output format. Each record's text is written in one piece. */
export interface RecordFormat {
  /** Text before the first record (a CSV header, a JSON `[`). */
  begin(): string;
  /** One record's text, `index` counting from 0. */
  record(record: TrawlRecord, index: number): string;
  /** Text after the last record. */
  end(count: number): string;
}

export const FORMATS = ["ndjson", "json", "csv", "urls"] as const;
export type FormatName = (typeof FORMATS)[number];
