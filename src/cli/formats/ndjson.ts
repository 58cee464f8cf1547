import type { RecordFormat } from "./format.js";

/** Newline-delimited JSON (https://github.com/ndjson/ndjson-spec): one record per line. */
export function ndjsonFormat(): RecordFormat {
  return {
    begin: () => "",
    record: (record) => `${JSON.stringify(record)}\n`,
    end: () => "",
  };
}
