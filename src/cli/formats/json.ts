import type { RecordFormat } from "./format.js";

/** One JSON array, one record per line inside it, closed even when the run is interrupted. */
export function jsonFormat(): RecordFormat {
  return {
    begin: () => "[",
    record: (record, index) => `${index === 0 ? "\n" : ",\n"}${JSON.stringify(record)}`,
    end: (count) => (count === 0 ? "]\n" : "\n]\n"),
  };
}
